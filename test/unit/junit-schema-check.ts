import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * Checks of a junit.xml against the Jenkins xUnit plugin's junit-10.xsd, shared by the
 * unit and integration tests. test/fixtures/junit-schema/README.md records where the schema
 * comes from and why gvmatrix's three extensions are removed before the check.
 */

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const schemaDir = join(repoRoot, 'test/fixtures/junit-schema');

export const JUNIT_SCHEMA = join(schemaDir, 'junit-10.xsd');
export const EXTENSIONS_STYLESHEET = join(schemaDir, 'gvmatrix-extensions.xsl');

/**
 * xmllint's messages for the parts of gvmatrix's junit.xml that junit-10.xsd does not
 * declare: testcase properties, a testcase's file attribute and the root's skipped total.
 */
export const EXTENSION_ERRORS: readonly RegExp[] = [
  /element properties: Schemas validity error : Element 'properties': This element is not expected\./,
  /element testcase: Schemas validity error : Element 'testcase', attribute 'file': The attribute 'file' is not allowed\./,
  /element testsuites: Schemas validity error : Element 'testsuites', attribute 'skipped': The attribute 'skipped' is not allowed\./,
];

export interface SchemaCheck {
  /** xmllint's exit status: 0 when the file is valid. */
  status: number | null;
  /** xmllint's error lines, without the final "fails to validate" line. */
  errors: string[];
}

/** Validates a file against junit-10.xsd as it is written, extensions included. */
export function validateAsWritten(file: string): SchemaCheck {
  const check = spawnSync('xmllint', ['--noout', '--schema', JUNIT_SCHEMA, file], { encoding: 'utf8' });
  if (check.error) {
    throw new Error(`failed to run xmllint: ${check.error.message}; install libxml2-utils (scripts/setup.sh does)`);
  }

  const errors = check.stderr
    .split('\n')
    .filter((line) => line !== '' && !line.endsWith(' validates') && !line.endsWith(' fails to validate'));
  return { status: check.status, errors };
}

/**
 * Validates a file against junit-10.xsd after gvmatrix-extensions.xsl removed the three
 * extensions. The stripped copy is written next to the file as FILE.core.xml.
 */
export function validateWithoutExtensions(file: string): SchemaCheck {
  const strip = spawnSync('xsltproc', [EXTENSIONS_STYLESHEET, file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (strip.error) {
    throw new Error(`failed to run xsltproc: ${strip.error.message}; install xsltproc (scripts/setup.sh does)`);
  }
  if (strip.status !== 0) {
    throw new Error(`xsltproc failed on ${file} with status ${strip.status}: ${strip.stderr}`);
  }

  const stripped = `${file}.core.xml`;
  writeFileSync(stripped, strip.stdout);
  return validateAsWritten(stripped);
}

/** Returns the error lines that none of EXTENSION_ERRORS explains. */
export function unexplainedErrors(check: SchemaCheck): string[] {
  return check.errors.filter((line) => !EXTENSION_ERRORS.some((pattern) => pattern.test(line)));
}
