import type { SandboxError, SandboxPanic, TestEvidence, UnsupportedSyscall } from '../evidence/types.js';

/** Returns evidence with nothing found, for a try that attached none. */
export function emptyEvidence(): TestEvidence {
  return { containerIds: [], logFiles: [], unsupportedSyscalls: [], panics: [], sandboxErrors: [] };
}

/**
 * Merges the evidence of several tries of one test. A retry starts new containers, so
 * the union keeps every container and log file. A finding read twice from the same log
 * file appears once.
 */
export function mergeEvidence(parts: readonly TestEvidence[]): TestEvidence {
  return {
    containerIds: unique(parts.flatMap((part) => part.containerIds), (id) => id),
    logFiles: unique(parts.flatMap((part) => part.logFiles), (file) => file),
    unsupportedSyscalls: unique(parts.flatMap((part) => part.unsupportedSyscalls), syscallKey),
    panics: unique(parts.flatMap((part) => part.panics), panicKey),
    sandboxErrors: unique(parts.flatMap((part) => part.sandboxErrors ?? []), sandboxErrorKey),
  };
}

function syscallKey(finding: UnsupportedSyscall): string {
  return JSON.stringify([finding.containerId, finding.logFile, finding.line]);
}

function sandboxErrorKey(error: SandboxError): string {
  return JSON.stringify([error.containerId, error.logFile, error.kind, error.message]);
}

function panicKey(panic: SandboxPanic): string {
  return JSON.stringify([panic.containerId, panic.logFile, panic.message, panic.frames]);
}

function unique<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) {
    const key = keyOf(item);
    if (!byKey.has(key)) {
      byKey.set(key, item);
    }
  }
  return [...byKey.values()];
}
