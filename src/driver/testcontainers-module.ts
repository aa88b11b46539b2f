/**
 * testcontainers, loaded on first use. Playwright's runner imports the test files only to
 * list the tests, so it never loads testcontainers (about 20 MiB and 0.2 s). Each worker
 * loads it once.
 */
export type Testcontainers = typeof import('testcontainers');

let loading: Promise<Testcontainers> | undefined;

export function loadTestcontainers(): Promise<Testcontainers> {
  loading ??= import('testcontainers');
  return loading;
}

/** Returns testcontainers' client for the engine that DOCKER_HOST names, created once per process. */
export async function containerRuntimeClient(): ReturnType<Testcontainers['getContainerRuntimeClient']> {
  return (await loadTestcontainers()).getContainerRuntimeClient();
}
