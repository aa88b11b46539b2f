/**
 * Decoding of the argument that distinguishes one unsupported use of a syscall from another. runsc
 * reports ioctl, prctl, arch_prctl, futex, epoll_ctl, shmctl, semctl, fallocate and the
 * socket option calls once per distinct command, so `ioctl(TIOCSTI)` and `ioctl(TCGETS)` are
 * different findings. fcntl is decoded the same way for logs that report it.
 */

import {
  ARCH_PRCTL_CODES,
  EPOLL_CTL_OPERATIONS,
  FALLOCATE_FLAGS,
  FCNTL_COMMANDS,
  FUTEX_FLAGS,
  FUTEX_OPERATIONS,
  IOCTL_REQUESTS,
  IP_OPTIONS,
  IPV6_OPTIONS,
  PRCTL_OPTIONS,
  SEMCTL_COMMANDS,
  SHMCTL_COMMANDS,
  SOCKET_LEVELS,
  SOCKET_OPTIONS,
  TCP_OPTIONS,
  UDP_OPTIONS,
  type ConstantTable,
} from './linux-constants.js';
import { syscallNumberOf } from './syscall-numbers.js';
import type { UnsupportedSyscall } from './types.js';

/** An unsupported syscall finding with the argument that identifies the feature named. */
export interface DecodedSyscall {
  /** Kernel name of the syscall (`ioctl`), or `sys_NUMBER` for a number without a name. */
  name: string;
  /** amd64 syscall number, when the log or the name gives it. */
  number?: number;
  /** The call and its identifying arguments: `ioctl(TIOCSTI)`, `setsockopt(SOL_SOCKET, SO_LINGER)`. */
  feature?: string;
  /** De-duplication key: the feature for calls decoded here, the name for the others. */
  key: string;
}

/** Returns the identifying arguments of one call as text, or undefined when the log lacks them. */
type ArgumentDecoder = (args: ReadonlyArray<bigint | undefined>) => string[] | undefined;

type NameLookup = ReadonlyMap<number, string>;

const IOCTL = lookup(IOCTL_REQUESTS);
const PRCTL = lookup(PRCTL_OPTIONS);
const ARCH_PRCTL = lookup(ARCH_PRCTL_CODES);
const FCNTL = lookup(FCNTL_COMMANDS);
const FUTEX = lookup(FUTEX_OPERATIONS);
const EPOLL_CTL = lookup(EPOLL_CTL_OPERATIONS);
const SHMCTL = lookup(SHMCTL_COMMANDS);
const SEMCTL = lookup(SEMCTL_COMMANDS);
const LEVELS = lookup(SOCKET_LEVELS);

/** Option names per socket level value, for the levels whose options are tabled. */
const OPTIONS_BY_LEVEL: ReadonlyMap<number, NameLookup> = new Map([
  [1, lookup(SOCKET_OPTIONS)],
  [0, lookup(IP_OPTIONS)],
  [6, lookup(TCP_OPTIONS)],
  [17, lookup(UDP_OPTIONS)],
  [41, lookup(IPV6_OPTIONS)],
]);

/** futex flag bits (FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME) that sit beside the operation. */
const FUTEX_FLAG_BITS = FUTEX_FLAGS.reduce((bits, [, value]) => bits | value, 0);

const DECODERS: ReadonlyMap<string, ArgumentDecoder> = new Map<string, ArgumentDecoder>([
  ['ioctl', (args) => named(IOCTL, args[1])],
  ['prctl', (args) => named(PRCTL, args[0])],
  ['arch_prctl', (args) => named(ARCH_PRCTL, args[0])],
  ['fcntl', (args) => named(FCNTL, args[1])],
  ['getsockopt', socketOption],
  ['setsockopt', socketOption],
  ['futex', futexOperation],
  ['epoll_ctl', (args) => named(EPOLL_CTL, args[1])],
  ['shmctl', (args) => named(SHMCTL, args[1])],
  ['semctl', (args) => named(SEMCTL, args[2])],
  ['fallocate', (args) => flags(FALLOCATE_FLAGS, args[1])],
]);

/**
 * Names the syscall of a finding and, for the calls runsc reports per command, the command:
 * `ioctl(0x1,0x5412,...)` becomes `ioctl(TIOCSTI)`. A value without a name in the tables
 * stays hexadecimal (`ioctl(0x4b3a)`), so distinct commands keep distinct keys.
 */
export function decodeFinding(finding: UnsupportedSyscall): DecodedSyscall {
  const number = finding.number ?? syscallNumberOf(finding.name);
  const feature = featureOf(finding.name, finding.args);

  const decoded: DecodedSyscall = { name: finding.name, key: feature ?? finding.name };
  if (number !== undefined) {
    decoded.number = number;
  }
  if (feature !== undefined) {
    decoded.feature = feature;
  }
  return decoded;
}

function featureOf(name: string, args: readonly string[]): string | undefined {
  const decoder = DECODERS.get(name);
  if (decoder === undefined) {
    return undefined;
  }

  const parts = decoder(args.map(parseArgument));
  return parts === undefined ? undefined : `${name}(${parts.join(', ')})`;
}

/** Parses one logged argument (`0x5412`), or returns undefined for text that is not a number. */
function parseArgument(text: string): bigint | undefined {
  if (!/^(0x[0-9a-fA-F]+|\d+)$/.test(text)) {
    return undefined;
  }
  return BigInt(text);
}

/**
 * Returns the low 32 bits of an argument. The kernel declares every argument decoded here
 * as `int` or `unsigned int`, so it ignores the upper half of the register that runsc logs.
 */
function low32(value: bigint): number {
  return Number(value & 0xffffffffn);
}

function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

function named(names: NameLookup, arg: bigint | undefined): string[] | undefined {
  if (arg === undefined) {
    return undefined;
  }

  const value = low32(arg);
  return [names.get(value) ?? hex(value)];
}

function socketOption(args: ReadonlyArray<bigint | undefined>): string[] | undefined {
  const levelArg = args[1];
  const optionArg = args[2];
  if (levelArg === undefined || optionArg === undefined) {
    return undefined;
  }

  const level = low32(levelArg);
  const option = low32(optionArg);
  const optionName = OPTIONS_BY_LEVEL.get(level)?.get(option);
  return [LEVELS.get(level) ?? hex(level), optionName ?? hex(option)];
}

/** Names a futex operation with its flag bits: `FUTEX_LOCK_PI|FUTEX_PRIVATE_FLAG`. */
function futexOperation(args: ReadonlyArray<bigint | undefined>): string[] | undefined {
  const arg = args[1];
  if (arg === undefined) {
    return undefined;
  }

  const value = low32(arg);
  const operation = (value & ~FUTEX_FLAG_BITS) >>> 0;
  const parts = [FUTEX.get(operation) ?? hex(operation)];
  for (const [flagName, bit] of FUTEX_FLAGS) {
    if ((value & bit) !== 0) {
      parts.push(flagName);
    }
  }
  return [parts.join('|')];
}

/** Names the bits of a flag argument: `FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE`, `0` for none. */
function flags(table: ConstantTable, arg: bigint | undefined): string[] | undefined {
  if (arg === undefined) {
    return undefined;
  }

  const value = low32(arg);
  const parts: string[] = [];
  let rest = value;
  for (const [flagName, bit] of table) {
    if ((value & bit) !== 0) {
      parts.push(flagName);
      rest &= ~bit;
    }
  }
  if (rest !== 0) {
    parts.push(hex(rest >>> 0));
  }
  return [parts.length === 0 ? '0' : parts.join('|')];
}

function lookup(table: ConstantTable): NameLookup {
  return new Map(table.map(([name, value]) => [value, name]));
}
