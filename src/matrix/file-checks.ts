import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { MatrixIssue } from './errors.js';
import type { SourceLocation } from './types.js';

/** A file or folder named in the matrix, with the position of the value that names it. */
export interface FileReference {
  /** `mount-folder`: a mount's repository folder; `mount-host`: a mount's absolute host path. */
  kind: 'build' | 'suite' | 'mount-folder' | 'mount-host';
  /** Absolute path. */
  path: string;
  location: SourceLocation;
}

/** File names that podman build looks for in a build folder, in its order of preference. */
export const CONTAINERFILE_NAMES = ['Containerfile', 'Dockerfile'] as const;

/**
 * Checks that each build folder exists and contains a Containerfile or Dockerfile, that
 * each suite file exists and that each mount source exists. This is the loader's only file-system access besides reading
 * the matrix file itself.
 */
export function checkFileReferences(references: readonly FileReference[]): MatrixIssue[] {
  const issues: MatrixIssue[] = [];

  for (const reference of references) {
    const problem = referenceProblem(reference);
    if (problem !== undefined) issues.push({ location: reference.location, message: problem });
  }

  return issues;
}

function referenceProblem(reference: FileReference): string | undefined {
  switch (reference.kind) {
    case 'build':
      return buildFolderProblem(reference.path);
    case 'suite':
      return suiteFileProblem(reference.path);
    case 'mount-folder':
      return mountFolderProblem(reference.path);
    case 'mount-host':
      return statSync(reference.path, { throwIfNoEntry: false }) === undefined
        ? `mount source ${reference.path} does not exist on this host; create it, or fix the path`
        : undefined;
  }
}

/** Returns why a mount's repository folder cannot be copied for a test, or undefined when it can. */
function mountFolderProblem(folder: string): string | undefined {
  const stats = statSync(folder, { throwIfNoEntry: false });
  if (stats === undefined) return `mount source folder ${folder} does not exist; create it with the files the container should see, or fix the path`;
  if (!stats.isDirectory()) return `mount source ${folder} is not a folder; point source: at a folder, or write an absolute path to mount a single host file`;
  return undefined;
}

function buildFolderProblem(folder: string): string | undefined {
  const stats = statSync(folder, { throwIfNoEntry: false });
  if (stats === undefined) {
    return `build folder ${folder} does not exist; create it with a Containerfile, or fix the path`;
  }
  if (!stats.isDirectory()) {
    return `build path ${folder} is not a folder; point build: at the folder that contains the Containerfile`;
  }

  const hasContainerfile = CONTAINERFILE_NAMES.some((name) => existsSync(path.join(folder, name)));
  if (!hasContainerfile) {
    return `build folder ${folder} has no Containerfile or Dockerfile; add one, or use image: for a registry image`;
  }
  return undefined;
}

function suiteFileProblem(file: string): string | undefined {
  const stats = statSync(file, { throwIfNoEntry: false });
  if (stats === undefined) return `suite file ${file} does not exist; create it, or fix the path`;
  if (!stats.isFile()) return `suite path ${file} is not a file; list Playwright spec files under suites:`;
  return undefined;
}
