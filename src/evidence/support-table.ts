/**
 * gVisor's own syscall support table, as a runsc binary prints it with `runsc help syscalls
 * -format=csv`: a header `OS,Arch,Num,Name,Support,Note`, then one row per OS, architecture
 * and syscall. Notes may span lines inside quotes. Seen in runsc 0.0~20221219.0 and
 * 0.0~20240729.0, whose tables differ (process_vm_readv is Unimplemented in the first and
 * Full Support in the second).
 */

import { CommandError, runCommand } from '../engine/command.js';

/** gVisor's support levels. Other values pass through as the binary printed them. */
export type SupportLevel = 'Full Support' | 'Partial Support' | 'Unimplemented' | (string & {});

/** One row of the table. */
export interface SyscallSupport {
  number: number;
  /** The name as gVisor spells it, which may differ from the kernel's (`pselect` for 270 in 20221219). */
  name: string;
  support: SupportLevel;
  /** gVisor's note, with its line breaks (`Returns "invalid system call number".`). */
  note: string;
}

/** The amd64 Linux rows of one runsc binary's table. */
export interface SupportTable {
  /** The runsc binary as given: a path or a command name looked up on PATH. */
  runsc: string;
  /** The version `runsc --version` printed (`0.0~20240729.0`), when it printed one. */
  version?: string;
  syscalls: ReadonlyMap<number, SyscallSupport>;
}

/** A loaded table, or the reason there is none. */
export type SupportTableResult = { table: SupportTable } | { table: undefined; reason: string };

/** A CSV text that is not a runsc support table. */
export class SupportTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SupportTableError';
  }
}

const COLUMNS = ['OS', 'Arch', 'Num', 'Name', 'Support', 'Note'] as const;

/** Time allowed for each runsc command. Both Debian builds return in well under a second. */
const RUNSC_TIMEOUT_MS = 30_000;

/** Tables by runsc binary, kept for the life of the process. */
const cache = new Map<string, Promise<SupportTableResult>>();

/**
 * Returns the support table that `runsc` prints, running it once per binary path in this
 * process. A binary that fails to run or has no `syscalls` help topic yields no table and
 * the reason, never a table of another build.
 */
export function loadSupportTable(runsc: string): Promise<SupportTableResult> {
  let result = cache.get(runsc);
  if (result === undefined) {
    result = readSupportTable(runsc);
    cache.set(runsc, result);
  }
  return result;
}

async function readSupportTable(runsc: string): Promise<SupportTableResult> {
  const version = await runscVersion(runsc);
  const label = version === undefined ? runsc : `runsc ${version}`;

  let csv: string;
  try {
    ({ stdout: csv } = await runCommand(runsc, ['help', 'syscalls', '-format=csv'], { timeoutMs: RUNSC_TIMEOUT_MS }));
  } catch (error) {
    if (error instanceof CommandError && error.exitCode === undefined && !error.timedOut && error.signal === undefined) {
      return { table: undefined, reason: `${runsc} could not be run, so there is no syscall support table: ${error.message}` };
    }
    if (error instanceof CommandError) {
      return { table: undefined, reason: `${label} has no syscall support table: ${error.message}` };
    }
    throw error;
  }

  let rows: SyscallSupport[];
  try {
    rows = parseSupportTable(csv);
  } catch (error) {
    if (error instanceof SupportTableError) {
      return { table: undefined, reason: `${label} printed no usable syscall support table: ${error.message}` };
    }
    throw error;
  }

  if (rows.length === 0) {
    return { table: undefined, reason: `${label} printed a syscall support table without linux amd64 rows` };
  }

  const table: SupportTable = { runsc, syscalls: new Map(rows.map((row) => [row.number, row])) };
  if (version !== undefined) {
    table.version = version;
  }
  return { table };
}

/** Returns the version `runsc --version` prints on its first line, or undefined when it fails. */
async function runscVersion(runsc: string): Promise<string | undefined> {
  try {
    const { stdout } = await runCommand(runsc, ['--version'], { timeoutMs: RUNSC_TIMEOUT_MS });
    return /^runsc version (\S+)/.exec(stdout)?.[1];
  } catch (error) {
    if (error instanceof CommandError) {
      return undefined;
    }
    throw error;
  }
}

/**
 * Parses the CSV of `runsc help syscalls -format=csv` and returns the rows of one OS and
 * architecture, linux amd64 by default. Throws SupportTableError when the header
 * or a row does not have the table's six columns.
 */
export function parseSupportTable(csv: string, os = 'linux', arch = 'amd64'): SyscallSupport[] {
  const [header, ...records] = parseCsv(csv);
  if (header === undefined || header.join(',') !== COLUMNS.join(',')) {
    const seen = header === undefined ? 'an empty text' : `"${header.join(',').slice(0, 80)}"`;
    throw new SupportTableError(`expected the header "${COLUMNS.join(',')}", found ${seen}`);
  }

  const rows: SyscallSupport[] = [];
  for (const [index, record] of records.entries()) {
    if (record.length !== COLUMNS.length) {
      throw new SupportTableError(`record ${index + 1} has ${record.length} fields, expected ${COLUMNS.length}: "${record.join(',').slice(0, 80)}"`);
    }

    const [rowOs, rowArch, num, name, support, note] = record as [string, string, string, string, string, string];
    if (rowOs !== os || rowArch !== arch) {
      continue;
    }
    if (!/^\d+$/.test(num)) {
      throw new SupportTableError(`record ${index + 1} has the syscall number "${num}", expected a whole number`);
    }
    rows.push({ number: Number(num), name, support, note });
  }
  return rows;
}

/**
 * Returns the table's row for a syscall: by number when it has one, because gVisor's names
 * differ from the kernel's in places, else by name.
 */
export function supportOf(table: SupportTable, syscall: { name: string; number?: number }): SyscallSupport | undefined {
  if (syscall.number !== undefined) {
    return table.syscalls.get(syscall.number);
  }
  for (const row of table.syscalls.values()) {
    if (row.name === syscall.name) {
      return row;
    }
  }
  return undefined;
}

/**
 * Splits CSV text into records of fields as RFC 4180 writes them, which is what Go's
 * encoding/csv (runsc's writer) produces: quoted fields may contain commas, line breaks and
 * doubled quotes. Line breaks outside quotes end a record, with or without a carriage return.
 */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;

  for (let index = 0; index < text.length; index++) {
    const char = text[index];

    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
      continue;
    }

    if (char === '"' && field === '') {
      quoted = true;
    } else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[index + 1] === '\n') {
        index++;
      }
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else {
      field += char;
    }
  }

  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records.filter((fields) => !(fields.length === 1 && fields[0] === ''));
}
