import type { Node } from 'yaml';
import type { ExecExpectation } from './types.js';
import type { Fields, YamlReader } from './yaml-reader.js';

export const EXEC_EXPECT_KEYS = ['exitCode', 'stdout', 'stderr'] as const;

/**
 * Reads an exec test's `expect:`. The exit code is checked only when written here; a test
 * with no `expect:` at all expects exit code 0.
 */
export function readExecExpectation(reader: YamlReader, node: Node | null): ExecExpectation | undefined {
  const fields = reader.mapping(node, 'expect', EXEC_EXPECT_KEYS);
  if (fields === undefined) return undefined;
  return readExecExpectationFields(reader, fields);
}

/** Reads exitCode, stdout and stderr from an expectation mapping whose keys are already checked. */
export function readExecExpectationFields(reader: YamlReader, fields: Fields): ExecExpectation | undefined {
  const exitCodeField = fields.get('exitCode');
  const stdoutField = fields.get('stdout');
  const stderrField = fields.get('stderr');

  const exitCode = exitCodeField === undefined ? undefined : reader.integer(exitCodeField.value, 'exitCode', 0, 255, 'an exit code from 0 to 255');
  const stdout = stdoutField === undefined ? [] : reader.patterns(stdoutField.value, 'stdout');
  const stderr = stderrField === undefined ? [] : reader.patterns(stderrField.value, 'stderr');
  if ((exitCodeField !== undefined && exitCode === undefined) || stdout === undefined || stderr === undefined) return undefined;

  return exitCode === undefined ? { stdout, stderr } : { exitCode, stdout, stderr };
}
