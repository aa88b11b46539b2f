import { flagValue } from '../../matrix/runsc-options.js';
import type { RunscPlatform } from '../../matrix/types.js';
import type { RuntimeInfo } from '../../report/types.js';
import { runCommand } from '../../engine/command.js';
import { BASE_IMAGE } from '../../engine/images.js';
import { runProbeContainer, type ProbeResult } from '../../engine/probe-container.js';
import type { DoctorCheck } from './check.js';
import { CONTAINER_TIMEOUT_MS } from './podman-checks.js';

export const RUNSC_PLATFORMS: readonly RunscPlatform[] = ['ptrace', 'systrap', 'kvm'];

/** One platform tried with one runsc binary. */
export interface PlatformProbe {
  platform: RunscPlatform;
  result: ProbeResult;
}

/** A runsc runtime of the matrix and the platform it runs on: its --platform flag, else the binary's default. */
export interface PlatformUse {
  runtime: string;
  platform: string | undefined;
}

/** Returns the default of -platform from `runsc flags` output (`(default "systrap")`). */
export function parseDefaultPlatform(flagsHelp: string): string | undefined {
  return /^\s*-platform\s+\w+\s*\n[^\n]*\(default "([^"]+)"\)/m.exec(flagsHelp)?.[1];
}

function describeProbe(probe: PlatformProbe): string {
  const { result } = probe;
  if (result.outcome === 'exited-0') return `${probe.platform} starts`;

  const killed = result.killedProcesses > 0 ? ` (${result.killedProcesses} leftover processes killed)` : '';
  if (result.outcome === 'timed-out') return `${probe.platform} timed out: ${result.reason}${killed}`;
  return `${probe.platform} failed: ${result.reason}${killed}`;
}

/**
 * Builds the platform check of one runsc binary from its probes. It fails when a runtime
 * of the matrix uses a platform that did not start, since all its containers would fail.
 */
export function platformCheck(binary: string, uses: PlatformUse[], probes: PlatformProbe[]): DoctorCheck {
  const name = `runsc platforms of ${binary}`;
  const started = probes.filter((probe) => probe.result.outcome === 'exited-0').map((probe) => probe.platform);
  const detail = `${probes.map(describeProbe).join('; ')} (used by ${uses.map((use) => `${use.runtime}: ${use.platform ?? 'unknown'}`).join(', ')})`;

  const broken = uses.filter((use) => use.platform !== undefined && RUNSC_PLATFORMS.includes(use.platform as RunscPlatform) && !started.includes(use.platform as RunscPlatform));
  if (broken.length === 0) {
    return { name, status: 'ok', detail };
  }

  const fix =
    started.length > 0
      ? broken.map((use) => `set platform: ${started[0]} on runtime "${use.runtime}"`).join('; ')
      : `no platform starts with ${binary}: check that this runsc build runs on this machine (\`${binary} --version\`, the kernel's ptrace and seccomp support), or use another build`;
  return { name, status: 'fail', detail, fix };
}

/** Reads the binary's default platform from `runsc flags`; undefined when the output has none. */
export async function readDefaultPlatform(binary: string): Promise<string | undefined> {
  try {
    const { stdout, stderr } = await runCommand(binary, ['flags'], { timeoutMs: 15_000 });
    return parseDefaultPlatform(`${stdout}\n${stderr}`);
  } catch {
    return undefined;
  }
}

/**
 * Starts a tiny container on each platform with `network=none`, under a hard timeout,
 * because a platform can hang: kvm never exits on the build machines (KVM guests). The
 * probe then kills what the container left running.
 */
export async function probePlatforms(binary: string, timeoutMs = CONTAINER_TIMEOUT_MS): Promise<PlatformProbe[]> {
  const probes: PlatformProbe[] = [];
  for (const platform of RUNSC_PLATFORMS) {
    const result = await runProbeContainer({
      image: BASE_IMAGE,
      command: ['true'],
      timeoutMs,
      runtimeBinary: binary,
      runtimeFlags: [`platform=${platform}`, 'network=none'],
      createOptions: ['--network=none'],
    });
    probes.push({ platform, result });
  }
  return probes;
}

/** Probes the platforms of each distinct runsc binary among the runtimes, one check per binary. */
export async function checkPlatforms(runtimes: RuntimeInfo[], timeoutMs = CONTAINER_TIMEOUT_MS): Promise<DoctorCheck[]> {
  const byBinary = new Map<string, RuntimeInfo[]>();
  for (const runtime of runtimes.filter((candidate) => candidate.kind === 'runsc')) {
    byBinary.set(runtime.path, [...(byBinary.get(runtime.path) ?? []), runtime]);
  }

  const checks: DoctorCheck[] = [];
  for (const [binary, users] of byBinary) {
    const defaultPlatform = await readDefaultPlatform(binary);
    const uses = users.map((runtime) => ({ runtime: runtime.name, platform: flagValue(runtime.flags, '--platform') ?? defaultPlatform }));
    checks.push(platformCheck(binary, uses, await probePlatforms(binary, timeoutMs)));
  }
  return checks;
}
