import { formatIdMapping } from '../matrix/userns.js';
import type { ImageSpec, Matrix, UsernsSpec } from '../matrix/types.js';
import type { RuntimeEndpoint } from './context.js';

/** Returns the user namespace of an image's containers under a runtime: the image's `userns:` wins over the runtime's. */
export function usernsFor(matrix: Matrix, image: ImageSpec, runtimeName: string): UsernsSpec | undefined {
  return image.userns ?? matrix.runtimes.find((runtime) => runtime.name === runtimeName)?.userns;
}

/**
 * Returns HostConfig.UsernsMode for Podman's Docker-compatible API, which passes it to
 * Podman's own `--userns` parser (checked with podman 4.3.1). That API has no field for
 * `--uidmap` and `--gidmap`, so an explicit mapping goes through `auto:uidmapping=...`,
 * which makes Podman use exactly the given ranges. `keep-id` exists only under rootless
 * Podman, so a rootful endpoint rejects it here with the fix, before a container starts.
 */
export function usernsMode(spec: UsernsSpec, endpoint: Pick<RuntimeEndpoint, 'name' | 'rootless'>, imageName: string): string {
  switch (spec.kind) {
    case 'keep-id':
      if (!endpoint.rootless) {
        throw new Error(
          `userns: keep-id of image "${imageName}" needs rootless Podman, and runtime "${endpoint.name}" runs rootful; ` +
            'run with --rootless, or use userns: auto',
        );
      }
      return 'keep-id';
    case 'auto':
    case 'host':
      return spec.kind;
    case 'mapping':
      return `auto:${spec.uidmap.map((entry) => `uidmapping=${formatIdMapping(entry)}`).concat(spec.gidmap.map((entry) => `gidmapping=${formatIdMapping(entry)}`)).join(',')}`;
  }
}
