import type { Step } from '../matrix/types.js';
import { excerpt } from './output-text.js';

/** The result of one step under one runtime; the steps attachment lists one per step. */
export interface StepRecord {
  /** 1-based position in the test's steps. */
  index: number;
  name?: string;
  kind: Step['kind'];
  /** The step as a short line: `exec sh -c ...`, `wait file /data/out.txt`, `host write conf/app.conf`. */
  description: string;
  background?: boolean;
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  /** For host stat steps: the container-side owner of the file. */
  containerUid?: number;
  containerGid?: number;
  durationMs: number;
  /** The failure message of the step, when it failed. */
  error?: string;
}

/** Formats step records one a line, with each value cut to a short excerpt, for failure details. */
export function formatStepRecords(records: readonly StepRecord[]): string {
  return records
    .map((record) => {
      const parts = [`${record.index}.${record.name === undefined ? '' : ` ${record.name}:`} ${record.description}`];
      if (record.exitCode !== undefined) parts.push(`exit ${record.exitCode}`);
      if (record.stdout) parts.push(`stdout ${excerpt(record.stdout, 120)}`);
      if (record.stderr) parts.push(`stderr ${excerpt(record.stderr, 120)}`);
      if (record.containerUid !== undefined) parts.push(`container uid ${record.containerUid} gid ${record.containerGid}`);
      if (record.error !== undefined) parts.push(`FAILED: ${excerpt(record.error, 200)}`);
      return `  ${parts.join('; ')}`;
    })
    .join('\n');
}
