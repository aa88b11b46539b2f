import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { firstLineTime, lineTime } from '../../src/evidence/log-time.js';

const BOOT_LOG = '/logs/runsc.log.20261204-211547.244090.boot.txt';

describe('lineTime', () => {
  test('glog line', () => {
    const line = 'I1204 21:15:49.453205   14498 loader.go:924] Gofer socket disconnected';
    assert.equal(lineTime(line, BOOT_LOG), Date.UTC(2026, 11, 4, 21, 15, 49) + 453.205);
  });

  test('glog lines in order', () => {
    const earlier = lineTime('I1204 21:15:21.110286    8579 main.go:217] Args: [...]', BOOT_LOG) ?? NaN;
    const later = lineTime('I1204 21:15:21.118154       1 main.go:266] Exiting with status: 0', BOOT_LOG) ?? NaN;
    assert.ok(earlier < later, `${earlier} < ${later}`);
  });

  test('new year after december log', () => {
    const line = 'I0101 00:00:01.000000       1 main.go:266] Exiting with status: 0';
    assert.equal(lineTime(line, '/logs/runsc.log.20261231-235959.000001.gofer.txt'), Date.UTC(2027, 0, 1, 0, 0, 1));
  });

  test('json line', () => {
    const line = '{"msg":"Exiting with status: 0","level":"info","time":"2026-12-04T20:12:54.725524255Z"}';
    assert.equal(lineTime(line, BOOT_LOG), Date.UTC(2026, 11, 4, 20, 12, 54, 725));
  });

  test('go runtime line', () => {
    assert.equal(lineTime('SIGABRT: abort', BOOT_LOG), undefined);
  });

  test('glog line, foreign file name', () => {
    assert.equal(lineTime('I1204 21:15:49.453205   14498 loader.go:924] x', '/logs/boot.log'), undefined);
  });
});

describe('firstLineTime', () => {
  test('skips lines without time', () => {
    const text = '\nSIGABRT: abort\nI1204 21:15:21.110286    8579 main.go:216] ***\nI1204 21:15:22.000000    8579 main.go:217] x\n';
    assert.equal(firstLineTime(text, BOOT_LOG), Date.UTC(2026, 11, 4, 21, 15, 21) + 110.286);
  });

  test('empty log', () => {
    assert.equal(firstLineTime('', BOOT_LOG), undefined);
  });
});
