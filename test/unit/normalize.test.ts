import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyBuiltinNormalizer, normalizeText, type NormalizeContext } from '../../src/driver/normalize.js';

/**
 * Output captured from the project's images on a Debian 12 host (Linux 6.18 in a KVM
 * guest) under runc 1.1.5 and runsc 20221219 with --network=host, started with
 * `podman --runtime RUNTIME run`. Only the full container ids are made up: they extend
 * the real short ids, which Podman also set as the hostnames.
 */
const RUNC = {
  containerId: '2ef5ecc2b78c5d0a9a3b1f4e8c6d7a2b9e0f1c3d5a7b9e1f3c5d7a9b1e3f5c7d',
  hostname: '2ef5ecc2b78c',
  unameA: 'Linux 2ef5ecc2b78c 6.18.44-fc-v1272 #1 SMP PREEMPT_DYNAMIC @0 x86_64 GNU/Linux',
  unameR: '6.18.44-fc-v1272\n',
  procVersion: 'Linux version 6.18.44-fc-v1272 (builder@sandboxing) (gcc (GCC) 15.3.0, GNU ld (GNU Binutils) 2.46) #1 SMP PREEMPT_DYNAMIC @0\n',
  date: 'Fri Dec  4 20:33:50 UTC 2026\n',
  dateIso: '2026-12-04T20:33:50.322Z\n',
  dateRfc: 'Fri, 04 Dec 2026 20:33:50 +0000\n',
  epoch: '1796416430\n',
  nginxDate: 'Fri, 04 Dec 2026 20:34:00 GMT',
  redisOs: 'os:Linux 6.18.44-fc-v1272 x86_64',
  redisLog: '1:C 04 Dec 2026 20:33:57.707 # Redis version=7.0.15, bits=64, commit=00000000, modified=0, pid=1, just started',
  redisTime: 'server_time_usec:1796416440854835',
  postgresLog: '2026-12-04 20:34:16.495 UTC [8] LOG:  database system was shut down at 2026-12-04 20:01:22 UTC',
  apacheLog: "[Fri Dec 04 20:34:16.733331 2026] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.68 (Debian) configured -- resuming normal operations",
  mosquittoLog: '1796416456: mosquitto version 2.0.11 starting',
  psLine: 'www-data       8       1  0 20:34 ?        00:00:00 /usr/sbin/apache2 -D FOREGROUND',
};

const RUNSC = {
  containerId: '0b41d619f3958a7c6e5d4b3a291807f6e5d4c3b2a1908f7e6d5c4b3a29180f7e',
  hostname: '0b41d619f395',
  unameA: 'Linux 0b41d619f395 4.4.0 #1 SMP Sun Jan 10 15:06:54 PST 2016 x86_64 GNU/Linux',
  unameR: '4.4.0\n',
  procVersion: 'Linux version 4.4.0 #1 SMP Sun Jan 10 15:06:54 PST 2016\n',
  date: 'Fri Dec  4 20:33:51 UTC 2026\n',
  dateIso: '2026-12-04T20:33:51.143Z\n',
  dateRfc: 'Fri, 04 Dec 2026 20:33:51 +0000\n',
  epoch: '1796416431\n',
  nginxDate: 'Fri, 04 Dec 2026 20:34:05 GMT',
  redisOs: 'os:Linux 4.4.0 x86_64',
  redisLog: '1:C 04 Dec 2026 20:34:02.118 # Redis version=7.0.15, bits=64, commit=00000000, modified=0, pid=1, just started',
  redisTime: 'server_time_usec:1796416445426504',
  postgresLog: '2026-12-04 20:34:24.312 UTC [4] LOG:  database system was shut down at 2026-12-04 20:01:22 UTC',
  apacheLog: "[Fri Dec 04 20:34:25.519879 2026] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.68 (Debian) configured -- resuming normal operations",
  mosquittoLog: '1796416464: mosquitto version 2.0.11 starting',
  psLine: 'www-data     4     1  0 20:34 ?        00:00:00 /usr/sbin/apache2 -D FOREGROUND',
};

const RUNC_CONTEXT: NormalizeContext = { containerId: RUNC.containerId, hostname: RUNC.hostname };
const RUNSC_CONTEXT: NormalizeContext = { containerId: RUNSC.containerId, hostname: RUNSC.hostname };

const BUILTIN_ONLY = { builtinNormalizers: true, normalize: [] };

describe('kernel normalizer', () => {
  test('uname -r under runc', () => {
    assert.equal(applyBuiltinNormalizer('kernel', RUNC.unameR), '<kernel>\n');
  });

  test('uname -r under runsc', () => {
    assert.equal(applyBuiltinNormalizer('kernel', RUNSC.unameR), '<kernel>\n');
  });

  test('uname -a keeps host and machine', () => {
    assert.equal(applyBuiltinNormalizer('kernel', RUNSC.unameA), 'Linux 0b41d619f395 <kernel> x86_64 GNU/Linux');
  });

  test('proc version under runc', () => {
    assert.equal(applyBuiltinNormalizer('kernel', RUNC.procVersion), 'Linux version <kernel>\n');
  });

  test('proc version under runsc', () => {
    assert.equal(applyBuiltinNormalizer('kernel', RUNSC.procVersion), 'Linux version <kernel>\n');
  });

  test('redis os field', () => {
    assert.equal(applyBuiltinNormalizer('kernel', RUNC.redisOs), 'os:Linux <kernel> x86_64');
  });

  test('application version stays', () => {
    assert.equal(applyBuiltinNormalizer('kernel', 'Server: nginx/1.22.1'), 'Server: nginx/1.22.1');
  });
});

describe('time normalizer', () => {
  test('date default format', () => {
    assert.equal(applyBuiltinNormalizer('time', RUNC.date), '<time>\n');
  });

  test('ISO 8601 with milliseconds', () => {
    assert.equal(applyBuiltinNormalizer('time', RUNC.dateIso), '<time>\n');
  });

  test('date -R', () => {
    assert.equal(applyBuiltinNormalizer('time', RUNC.dateRfc), '<time>\n');
  });

  test('nginx Date header', () => {
    assert.equal(applyBuiltinNormalizer('time', RUNC.nginxDate), '<time>');
  });

  test('epoch seconds', () => {
    assert.equal(applyBuiltinNormalizer('time', RUNC.epoch), '<time>\n');
  });

  test('redis microseconds', () => {
    assert.equal(applyBuiltinNormalizer('time', RUNC.redisTime), 'server_time_usec:<time>');
  });

  test('redis log timestamp', () => {
    assert.match(applyBuiltinNormalizer('time', RUNC.redisLog), /^1:C <time> # Redis version=7\.0\.15/);
  });

  test('postgres log timestamps', () => {
    assert.equal(applyBuiltinNormalizer('time', RUNC.postgresLog), '<time> [8] LOG:  database system was shut down at <time>');
  });

  test('apache log timestamp', () => {
    assert.match(applyBuiltinNormalizer('time', RUNC.apacheLog), /^\[<time>\] \[mpm_event:notice\]/);
  });

  test('mosquitto epoch prefix', () => {
    assert.equal(applyBuiltinNormalizer('time', RUNC.mosquittoLog), '<time>: mosquitto version 2.0.11 starting');
  });

  test('ps time column', () => {
    assert.match(applyBuiltinNormalizer('time', RUNC.psLine), / <time> \/usr\/sbin\/apache2/);
  });

  test('small numbers stay', () => {
    assert.equal(applyBuiltinNormalizer('time', 'Content-Length: 615\nuptime_in_seconds:3'), 'Content-Length: 615\nuptime_in_seconds:3');
  });
});

describe('pid normalizer', () => {
  test('redis pid=1', () => {
    assert.match(applyBuiltinNormalizer('pid', RUNC.redisLog), /modified=0, pid=<pid>, just started/);
  });

  test('postgres bracketed pid', () => {
    assert.match(applyBuiltinNormalizer('pid', RUNSC.postgresLog), / UTC \[<pid>\] LOG:/);
  });

  test('apache pid field', () => {
    assert.match(applyBuiltinNormalizer('pid', RUNC.apacheLog), /\[pid <pid>:tid 1\]/);
  });

  test('upper-case PID form', () => {
    assert.equal(applyBuiltinNormalizer('pid', 'Started PID 4711 in the background'), 'Started PID <pid> in the background');
  });

  test('syslog program pid', () => {
    assert.equal(applyBuiltinNormalizer('pid', 'sshd[1234]: Server listening'), 'sshd[<pid>]: Server listening');
  });

  test('JSON arrays stay', () => {
    assert.equal(applyBuiltinNormalizer('pid', '{"fds":[3],"args":[1, 2]}'), '{"fds":[3],"args":[1, 2]}');
  });
});

describe('container id normalizer', () => {
  test('own full id', () => {
    assert.equal(applyBuiltinNormalizer('container-id', `id ${RUNC.containerId}`, RUNC_CONTEXT), 'id <container-id>');
  });

  test('short id in uname -a', () => {
    assert.equal(applyBuiltinNormalizer('container-id', RUNC.unameA), 'Linux <container-id> 6.18.44-fc-v1272 #1 SMP PREEMPT_DYNAMIC @0 x86_64 GNU/Linux');
  });

  test('other container full id', () => {
    assert.equal(applyBuiltinNormalizer('container-id', `peer=${RUNSC.containerId}`, RUNC_CONTEXT), 'peer=<container-id>');
  });

  test('redis run id stays', () => {
    const line = 'run_id:e573201d3e4dfc83d439aa6e23365b1747965983';
    assert.equal(applyBuiltinNormalizer('container-id', line), line);
  });

  test('twelve-digit number stays', () => {
    assert.equal(applyBuiltinNormalizer('container-id', 'bytes 123456789012'), 'bytes 123456789012');
  });
});

describe('hostname normalizer', () => {
  test('hostname output', () => {
    assert.equal(applyBuiltinNormalizer('hostname', `${RUNSC.hostname}\n`, RUNSC_CONTEXT), '<hostname>\n');
  });

  test('hostname in uname -a', () => {
    assert.equal(applyBuiltinNormalizer('hostname', RUNSC.unameA, RUNSC_CONTEXT), 'Linux <hostname> 4.4.0 #1 SMP Sun Jan 10 15:06:54 PST 2016 x86_64 GNU/Linux');
  });

  test('hostname set by the run', () => {
    assert.equal(applyBuiltinNormalizer('hostname', 'PING db-1 (10.88.0.4)', { hostname: 'db-1' }), 'PING <hostname> (10.88.0.4)');
  });

  test('longer names stay', () => {
    assert.equal(applyBuiltinNormalizer('hostname', 'db-10 db-1x', { hostname: 'db-1' }), 'db-10 db-1x');
  });

  test('no hostname changes nothing', () => {
    assert.equal(applyBuiltinNormalizer('hostname', RUNSC.unameA), RUNSC.unameA);
  });
});

describe('duration normalizer', () => {
  test('milliseconds without space', () => {
    assert.equal(applyBuiltinNormalizer('duration', 'took 12.3ms'), 'took <duration>');
  });

  test('seconds with space', () => {
    assert.equal(applyBuiltinNormalizer('duration', 'waited 0.5 s'), 'waited <duration>');
  });

  test('in 123 ms', () => {
    assert.equal(applyBuiltinNormalizer('duration', 'ready in 123 ms'), 'ready in <duration>');
  });

  test('Go compound duration', () => {
    assert.equal(applyBuiltinNormalizer('duration', 'uptime 1m30.5s'), 'uptime <duration>');
  });

  test('plain words stay', () => {
    assert.equal(applyBuiltinNormalizer('duration', '3 services, x86_64, 5 hosts'), '3 services, x86_64, 5 hosts');
  });
});

describe('normalizeText', () => {
  test('uname -a equal across runtimes', () => {
    const runc = normalizeText(RUNC.unameA, BUILTIN_ONLY, RUNC_CONTEXT);
    const runsc = normalizeText(RUNSC.unameA, BUILTIN_ONLY, RUNSC_CONTEXT);
    assert.equal(runc, runsc);
  });

  test('uname -a placeholders', () => {
    assert.equal(normalizeText(RUNSC.unameA, BUILTIN_ONLY, RUNSC_CONTEXT), 'Linux <hostname> <kernel> x86_64 GNU/Linux');
  });

  test('postgres logs equal across runtimes', () => {
    const runc = normalizeText(RUNC.postgresLog, BUILTIN_ONLY, RUNC_CONTEXT);
    const runsc = normalizeText(RUNSC.postgresLog, BUILTIN_ONLY, RUNSC_CONTEXT);
    assert.equal(runc, runsc);
  });

  test('redis logs equal across runtimes', () => {
    const runc = normalizeText(RUNC.redisLog, BUILTIN_ONLY, RUNC_CONTEXT);
    const runsc = normalizeText(RUNSC.redisLog, BUILTIN_ONLY, RUNSC_CONTEXT);
    assert.equal(runc, runsc);
  });

  test('builtins off keeps text', () => {
    assert.equal(normalizeText(RUNC.unameR, { builtinNormalizers: false, normalize: [] }, RUNC_CONTEXT), RUNC.unameR);
  });

  test('rules run after builtins', () => {
    const rules = [{ pattern: { kind: 'literal' as const, text: '<kernel>' }, replace: 'KERNEL' }];
    assert.equal(normalizeText(RUNSC.unameR, { builtinNormalizers: true, normalize: rules }, RUNSC_CONTEXT), 'KERNEL\n');
  });

  test('rules replace every match', () => {
    const rules = [{ pattern: { kind: 'regex' as const, source: 'ETag: "[^"]+"', flags: '' }, replace: 'ETag: <etag>' }];
    const text = 'ETag: "6b131b45-267"\nETag: "6b131b46-268"';
    assert.equal(normalizeText(text, { builtinNormalizers: false, normalize: rules }, {}), 'ETag: <etag>\nETag: <etag>');
  });

  test('rules apply in order', () => {
    const rules = [
      { pattern: { kind: 'regex' as const, source: 'a(\\d)', flags: 'i' }, replace: 'b$1' },
      { pattern: { kind: 'literal' as const, text: 'b1' }, replace: 'c' },
    ];
    assert.equal(normalizeText('A1 a2', { builtinNormalizers: false, normalize: rules }, {}), 'c b2');
  });
});
