/**
 * The driver's contract with the reporter: annotation types on every test and the names
 * of the per-try evidence and observed-values attachments.
 */
export const ANNOTATION = {
  image: 'gvmatrix.image',
  test: 'gvmatrix.test',
  source: 'gvmatrix.source',
  /** The folder of a failed try's mount directories, kept for reading. */
  mounts: 'gvmatrix.mounts',
  /** A teardown step that failed once and then removed the container on its second way. */
  teardown: 'gvmatrix.teardown',
} as const;

export const EVIDENCE_ATTACHMENT = 'gvmatrix-evidence';

/** Name of the attachment that records what a declarative check observed. */
export const OBSERVED_ATTACHMENT = 'gvmatrix-observed';

/** Returns the description of the first annotation of a type. */
export function annotationValue(annotations: ReadonlyArray<{ type: string; description?: string }>, type: string): string | undefined {
  return annotations.find((annotation) => annotation.type === type)?.description;
}
