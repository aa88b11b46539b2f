import type { Scalar } from 'yaml';
import type { YamlReader } from './yaml-reader.js';

/**
 * Valid image and runtime names. They become Playwright project names, image references
 * and file names, so they stay lower case and free of spaces and slashes.
 */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9_.-]*$/;

/**
 * One path component of an image reference, as the OCI distribution spec defines it:
 * separators (".", "_", "__" or dashes) only between letters and digits.
 */
const REPOSITORY_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** Reports a runtime or image name that does not match NAME_PATTERN, with a corrected name when one exists. */
export function checkName(reader: YamlReader, key: Scalar, name: string, noun: 'image' | 'runtime'): void {
  if (NAME_PATTERN.test(name)) return;

  const corrected = name
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '');
  const hint = NAME_PATTERN.test(corrected) ? `; rename it, for example to "${corrected}"` : '';
  reader.reportAt(
    key,
    `invalid ${noun} name "${name}": use lower-case letters, digits, "_", "." and "-", ` +
      `starting with a letter or digit${hint}`,
  );
}

/**
 * Reports a built image's name that cannot be part of its reference
 * `localhost/gvmatrix/NAME:latest`, such as `web-` or `a..b`.
 */
export function checkBuiltImageName(reader: YamlReader, key: Scalar, name: string): void {
  if (!NAME_PATTERN.test(name) || REPOSITORY_COMPONENT.test(name)) return;

  reader.reportAt(
    key,
    `image name "${name}" cannot be used in the image reference localhost/gvmatrix/${name}:latest; ` +
      'end it with a letter or digit and put a single ".", "_", "__" or dashes between words',
  );
}
