/**
 * The typed form of a matrix file (version 1). The loader builds these from YAML and
 * validates them; every other module reads only these types, never the YAML.
 */

/** A position in the matrix file, 1-based, for error messages and reports. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/**
 * A text expectation. In YAML a string between slashes (`/Welcome to nginx/i`) is a
 * regular expression; any other string must appear literally.
 */
export type Pattern =
  | { kind: 'literal'; text: string }
  | { kind: 'regex'; source: string; flags: string };

/** The OCI runtime family, which decides how evidence is collected. */
export type RuntimeKind = 'runc' | 'runsc';

/** gVisor's platform, the mechanism by which the sentry intercepts the application's system calls. */
export type RunscPlatform = 'ptrace' | 'systrap' | 'kvm';

/**
 * runsc's network mode: `sandbox` is gVisor's own network stack (netstack), `host` passes
 * socket calls to the host kernel inside the container's network namespace, `none` has
 * only a loopback interface.
 */
export type RunscNetwork = 'sandbox' | 'host' | 'none';

/**
 * A way to start netstack with runsc builds that reject it on Linux 6.x.
 * `hide-proc-sys-net` runs runsc in its own mount namespace with an empty tmpfs over
 * /proc/sys/net, so runsc no longer mistakes every network namespace for the root one.
 */
export type NetstackWorkaround = 'hide-proc-sys-net';

/** One OCI runtime configuration: the baseline (runc) or a sandbox variant (runsc). */
export interface RuntimeVariant {
  /** Key under `runtimes:`; also the Playwright project name. */
  name: string;
  /** `oci:` as written: a binary name looked up on PATH, or an absolute path. */
  oci: string;
  kind: RuntimeKind;
  baseline: boolean;
  /**
   * Flags passed to the runtime, each written with its leading dashes (`--network=host`):
   * `flags:` as written, then `--platform=P` and `--network=N` from `platform:` and `network:`.
   */
  flags: string[];
  /** `platform:`, runsc only. */
  platform?: RunscPlatform;
  /** `network:`, runsc only. */
  network?: RunscNetwork;
  /** `netstack:`, runsc only. */
  netstack?: NetstackWorkaround;
  /** `userns:`: the user namespace of every container under this runtime, unless the image sets its own. */
  userns?: UsernsSpec;
  location: SourceLocation;
}

/** One `N:N:N` entry of an explicit ID mapping: container ids from `containerId` map to host ids from `hostId`. */
export interface IdMapping {
  containerId: number;
  hostId: number;
  size: number;
}

/**
 * The user namespace a container runs in. `auto` gives each container its own range of
 * subordinate ids, `keep-id` maps the rootless user to the same id inside (rootless Podman
 * only), `host` shares the host's ids, `mapping` sets the ranges explicitly.
 */
export type UsernsSpec =
  | { kind: 'auto' | 'keep-id' | 'host' }
  | { kind: 'mapping'; uidmap: IdMapping[]; gidmap: IdMapping[] };

/**
 * A bind mount of an image's containers. `repository`: a folder of the repository,
 * copied into a fresh host directory per test, try and runtime. `empty`: a fresh empty
 * directory. `host`: an absolute host path, mounted as it is.
 */
export interface MountSpec {
  /** The name that `host:` steps refer to. */
  name: string;
  source: { kind: 'repository' | 'host'; /** Absolute path. */ path: string } | { kind: 'empty' };
  /** Absolute path inside the container. */
  target: string;
  mode: 'ro' | 'rw';
  location: SourceLocation;
}

/** How the driver decides that a started container is ready for tests. */
export type WaitSpec =
  | { kind: 'http'; port: number; path: string; status: number }
  | { kind: 'tcp'; port: number }
  | { kind: 'log'; pattern: Pattern; times: number }
  | { kind: 'exec'; command: string[] }
  | { kind: 'none' };

/** Expected outcome of an `exec:` check. Unset fields are not checked. */
export interface ExecExpectation {
  exitCode?: number;
  /** Every pattern must match stdout. */
  stdout: Pattern[];
  /** Every pattern must match stderr. */
  stderr: Pattern[];
}

/** Expected outcome of an `http:` check. Unset fields are not checked. */
export interface HttpExpectation {
  status?: number;
  body: Pattern[];
  /** Header name (lower case) to the pattern its value must match. */
  headers: Record<string, Pattern>;
}

/**
 * A value of a test that `compare:` requires to be equal under the baseline and a
 * sandbox, after normalization. exitCode, stdout and stderr belong to exec tests. Status,
 * body, headers and header belong to http tests. A file belongs to either, and the driver
 * reads it with `cat` inside the container after the check.
 */
export type Observable =
  | { kind: 'exitCode' | 'stdout' | 'stderr' | 'status' | 'body' | 'headers' }
  | { kind: 'step'; /** Name of an earlier step. */ step: string; value: StepValue }
  | { kind: 'header'; /** Lower case, as HTTP compares names. */ name: string }
  | { kind: 'file'; /** Absolute path inside the container. */ path: string };

/** A `normalize:` entry: every match of `pattern` is replaced with `replace` before values are compared. */
export interface NormalizeRule {
  pattern: Pattern;
  /** Replacement text; `$1` and `$<name>` refer to groups of a regular expression. */
  replace: string;
}

/** The values a test compares between runtimes, and the normalization applied to them first. */
export interface Comparison {
  observables: Observable[];
  /** Whether the built-in normalizers (kernel, time, pid, container id, hostname, duration) run first. */
  builtinNormalizers: boolean;
  /** The `normalize:` rules of defaults, image and test, in that order, applied after the built-in ones. */
  normalize: NormalizeRule[];
}

/** A value of a step's result that `expect:` and `compare:` can name. */
export type StepValue = 'exitCode' | 'stdout' | 'stderr';

/** The condition a `wait:` step polls for until its timeout. */
export type StepWaitTarget =
  | { kind: 'step-output'; /** Name of an earlier exec step. */ step: string; pattern: Pattern }
  | { kind: 'file'; /** Absolute path inside the container. */ path: string }
  | { kind: 'log'; pattern: Pattern }
  | { kind: 'port'; /** A container port listed under the image's ports. */ port: number };

/** A file operation of a `host:` step, on a path relative to the mount's host directory. */
export type HostAction =
  | { kind: 'write' | 'append'; path: string; content: string }
  | { kind: 'remove'; path: string }
  | { kind: 'chmod'; path: string; /** Permission bits, such as 0o600. */ mode: number }
  | { kind: 'stat'; path: string };

/** An `expect:` step: expectations on the result of an earlier step. Unset fields are not checked. */
export interface StepExpectation extends ExecExpectation {
  /** The container-side owner of a `host: { stat: ... }` step's file. */
  containerUid?: number;
  containerGid?: number;
}

/** One step of a `steps:` test; steps run in order against one container. */
export type Step =
  | {
      kind: 'exec';
      name?: string;
      command: string[];
      /** A background step keeps running while later steps run; it ends with the container. */
      background: boolean;
      expect?: ExecExpectation;
      location: SourceLocation;
    }
  | { kind: 'wait'; name?: string; target: StepWaitTarget; timeoutMs: number; location: SourceLocation }
  | { kind: 'host'; name?: string; /** Name of one of the image's mounts. */ mount: string; action: HostAction; location: SourceLocation }
  | { kind: 'expect'; name?: string; step: string; expect: StepExpectation; location: SourceLocation };

export type Check =
  | { kind: 'exec'; command: string[]; expect: ExecExpectation; compare?: Comparison }
  | { kind: 'steps'; steps: Step[]; compare?: Comparison }
  | {
      kind: 'http';
      port: number;
      path: string;
      method: string;
      headers: Record<string, string>;
      body?: string;
      expect: HttpExpectation;
      compare?: Comparison;
    };

export interface MatrixTest {
  name: string;
  check: Check;
  timeoutMs: number;
  retries: number;
  /** Sandbox/baseline ratio of the check's duration above which the test is marked `slow`: the test's, else the image's. */
  slowRatio: number;
  location: SourceLocation;
}

export interface ResourceLimits {
  /** Memory limit in bytes, unset for none. */
  memoryBytes?: number;
  /** CPU limit in cores (for example 0.5), unset for none. */
  cpus?: number;
}

export interface ImageSpec {
  name: string;
  /** Absolute path of the folder holding the Containerfile, when the image is built locally. */
  build?: string;
  /** Image reference to run: `localhost/gvmatrix/NAME:latest` for built images, or `image:` as written. */
  ref: string;
  /** Container ports to expose; the driver maps each to a free host port. */
  ports: number[];
  env: Record<string, string>;
  /** Overrides the image's command when set. */
  command?: string[];
  /** Bind mounts of every container of the image, in the order written. */
  mounts: MountSpec[];
  /** The image's `userns:`, which wins over the runtime's. */
  userns?: UsernsSpec;
  wait: WaitSpec;
  tests: MatrixTest[];
  /** Absolute paths of Playwright spec files whose tests run against this image. */
  suites: string[];
  startupTimeoutMs: number;
  timeoutMs: number;
  retries: number;
  resources: ResourceLimits;
  /** Whether compared values pass through the built-in normalizers; the image's setting, else the default. */
  builtinNormalizers: boolean;
  /** `normalize:` rules of the defaults followed by the image's own. */
  normalize: NormalizeRule[];
  /** `slowRatio:` of the image, else of the defaults. A test may set its own. */
  slowRatio: number;
  location: SourceLocation;
}

/** An expected incompatibility: a reproduced failure matching it is reported as `known`. */
export interface KnownIncompatibility {
  image: string;
  test: string;
  /** Runtime name, or a pattern over runtime names. */
  runtime: Pattern;
  reason: string;
  link?: string;
  /** ISO date (YYYY-MM-DD) after which the entry is stale. */
  expires?: string;
  location: SourceLocation;
}

export interface MatrixDefaults {
  timeoutMs: number;
  startupTimeoutMs: number;
  retries: number;
  resources: ResourceLimits;
  /** True unless `defaults:` sets `builtinNormalizers: false`. */
  builtinNormalizers: boolean;
  normalize: NormalizeRule[];
  /** `slowRatio:` of `defaults:`, else DEFAULT_SLOW_RATIO. */
  slowRatio: number;
}

/** `engine:`: how Podman runs the containers of the matrix. */
export interface EngineSettings {
  /** Runs every container through rootless Podman as `user`. */
  rootless: boolean;
  /** The unprivileged account for rootless runs. */
  user: string;
}

export interface Matrix {
  version: 1;
  /** Absolute path of the matrix file. */
  file: string;
  /** Folder of the matrix file; relative paths in it resolve from here. */
  dir: string;
  runtimes: RuntimeVariant[];
  baseline: RuntimeVariant;
  images: ImageSpec[];
  defaults: MatrixDefaults;
  known: KnownIncompatibility[];
  engine: EngineSettings;
}
