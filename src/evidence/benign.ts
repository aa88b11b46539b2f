/**
 * Unsupported syscalls that runsc reports for nearly every program, so they are not named
 * as the cause of a failure. Measured with Debian bookworm's glibc 2.36 under runsc
 * 0.0~20221219.0 and 0.0~20240729.0: `true`, `ls`, `cat`, `date`, `id`, `df`, `sleep`,
 * `sh`, `bash`, `stty`, `find`, `tar`, `getent`, `timeout`, `perl` and `apt-get -s`
 * reported only rseq, and a threaded `sort --parallel=2` added clone3 under 20221219.
 */

import type { UnsupportedSyscall } from './types.js';

// NOTE: a program that calls clone3 itself, without glibc's fallback to clone, fails on
// runsc 20221219 and is then reported as a behavior difference instead.

/** Syscall name to the reason it is benign, for summaries that list what was left out. */
export const BENIGN_SYSCALLS: ReadonlyMap<string, string> = new Map([
  [
    'rseq',
    'glibc 2.35 and later registers restartable sequences in every thread and runs without them when runsc returns ENOSYS',
  ],
  [
    'clone3',
    'glibc 2.34 and later tries clone3 for every new thread and falls back to clone when runsc 20221219 returns ENOSYS',
  ],
]);

/** Tells whether a finding is one runsc reports for nearly every program. */
export function isBenign(finding: Pick<UnsupportedSyscall, 'name'>): boolean {
  return BENIGN_SYSCALLS.has(finding.name);
}
