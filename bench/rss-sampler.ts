import { readdir, readFile } from 'node:fs/promises';

/** Peak resident memory of a process tree, in bytes, over the sampled period. */
export interface RssPeaks {
  /** Largest sum over the tree's node processes: the gvmatrix CLI, Playwright's runner and its workers. */
  nodeSum: number;
  /** Largest sum over every process of the tree, including the Podman API services it started. */
  treeSum: number;
  /** Largest single process of the tree. */
  largestProcess: number;
  /** Command name of that process. */
  largestCommand: string;
  samples: number;
}

interface ProcessEntry {
  pid: number;
  parent: number;
  command: string;
}

async function readProcess(pid: number): Promise<ProcessEntry | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (stat === undefined) return undefined;

  // The command name is in parentheses and may contain spaces; the fields after it do not.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return { pid, parent: Number(fields[1]), command: stat.slice(stat.indexOf('(') + 1, close) };
}

async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/** Returns `root` and every process below it, from one pass over /proc. */
async function processTree(root: number): Promise<ProcessEntry[]> {
  const names = await readdir('/proc');
  const entries = await Promise.all(names.filter((name) => /^\d+$/.test(name)).map((name) => readProcess(Number(name))));
  const children = new Map<number, ProcessEntry[]>();
  let rootEntry: ProcessEntry | undefined;
  for (const entry of entries) {
    if (!entry) continue;
    if (entry.pid === root) rootEntry = entry;
    children.set(entry.parent, [...(children.get(entry.parent) ?? []), entry]);
  }
  if (!rootEntry) return [];

  const tree: ProcessEntry[] = [];
  const pending = [rootEntry];
  while (pending.length > 0) {
    const entry = pending.pop()!;
    tree.push(entry);
    pending.push(...(children.get(entry.pid) ?? []));
  }
  return tree;
}

/**
 * Samples the VmRSS of a process tree every `intervalMs` until stopped. Sums overstate
 * shared pages (each node process counts the pages of its binary again), so they are an
 * upper bound of the tree's memory.
 */
export function sampleTreeRss(root: number, intervalMs = 150): { stop: () => Promise<RssPeaks> } {
  const peaks: RssPeaks = { nodeSum: 0, treeSum: 0, largestProcess: 0, largestCommand: '', samples: 0 };
  let running = true;

  const loop = (async () => {
    while (running) {
      const tree = await processTree(root);
      let nodeSum = 0;
      let treeSum = 0;
      for (const entry of tree) {
        const bytes = await residentBytes(entry.pid);
        treeSum += bytes;
        if (entry.command === 'node' || entry.command.startsWith('node')) nodeSum += bytes;
        if (bytes > peaks.largestProcess) {
          peaks.largestProcess = bytes;
          peaks.largestCommand = entry.command;
        }
      }
      peaks.nodeSum = Math.max(peaks.nodeSum, nodeSum);
      peaks.treeSum = Math.max(peaks.treeSum, treeSum);
      peaks.samples++;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();

  return {
    stop: async () => {
      running = false;
      await loop;
      return peaks;
    },
  };
}
