/** Labels on every container gvmatrix starts, so a run can find and remove its own. */
export const RUN_LABEL = 'gvmatrix.run';

export function containerLabels(runId: string, image: string, runtime: string, test: string): Record<string, string> {
  return {
    [RUN_LABEL]: runId,
    'gvmatrix.image': image,
    'gvmatrix.runtime': runtime,
    'gvmatrix.test': test,
  };
}
