import { readdir, readFile } from 'node:fs/promises';

/** Peak resident memory of a process tree, in bytes, over the sampled period. */
export interface RssPeaks {
  /** Largest sum over the tree's node processes: the gvmatrix CLI, Playwright's runner and its workers. */
  nodeSum: number;
  /**
   * Largest sum of the node processes' proportional set size (PSS), which divides each shared
   * page among the processes that map it, so the node binary's pages count once.
   */
  nodePssSum: number;
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

/** Reads a `NAME: N kB` field of a /proc file in bytes; 0 when the process is gone. */
async function procBytes(file: string, field: string): Promise<number> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
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
  const peaks: RssPeaks = { nodeSum: 0, nodePssSum: 0, treeSum: 0, largestProcess: 0, largestCommand: '', samples: 0 };
  let running = true;

  const loop = (async () => {
    while (running) {
      const tree = await processTree(root);
      let nodeSum = 0;
      let nodePssSum = 0;
      let treeSum = 0;
      for (const entry of tree) {
        const bytes = await procBytes(`/proc/${entry.pid}/status`, 'VmRSS');
        treeSum += bytes;
        if (entry.command === 'node') {
          nodeSum += bytes;
          nodePssSum += await procBytes(`/proc/${entry.pid}/smaps_rollup`, 'Pss');
        }
        if (bytes > peaks.largestProcess) {
          peaks.largestProcess = bytes;
          peaks.largestCommand = entry.command;
        }
      }
      peaks.nodeSum = Math.max(peaks.nodeSum, nodeSum);
      peaks.nodePssSum = Math.max(peaks.nodePssSum, nodePssSum);
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
