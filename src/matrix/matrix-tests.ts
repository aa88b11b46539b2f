import type { Node } from 'yaml';
import { readComparison, type ComparisonDefaults } from './compare.js';
import { readRetries, readSlowRatio } from './defaults.js';
import { readMethod, readStatus, readUrlPath } from './http-fields.js';
import { readExecExpectation } from './exec-expectation.js';
import { readListedPort } from './ports.js';
import { readSteps } from './steps.js';
import type { Check, HttpExpectation, MatrixTest, MountSpec, Pattern, SourceLocation } from './types.js';
import type { Field, Fields, YamlReader } from './yaml-reader.js';

const TEST_KEYS = ['name', 'http', 'exec', 'steps', 'expect', 'compare', 'normalize', 'builtinNormalizers', 'timeout', 'retries', 'slowRatio'] as const;
const HTTP_KEYS = ['port', 'path', 'method', 'headers', 'body', 'expect'] as const;
const HTTP_EXPECT_KEYS = ['status', 'body', 'headers'] as const;

/** The image fields that a test's check and its resolved settings depend on. */
export interface TestTarget extends ComparisonDefaults {
  imageName: string;
  ports: readonly number[];
  /** The image's mounts, which `host:` steps refer to. */
  mounts: readonly MountSpec[];
  /** The image's timeout, retries and slowRatio, already resolved against the defaults. */
  timeoutMs: number;
  retries: number;
  slowRatio: number;
}

/** The tests of one image, and the names of all of them, including those with errors. */
export interface TestList {
  tests: MatrixTest[];
  /** Every test name written, so that later checks do not report a name as unknown when its test is invalid. */
  names: Set<string>;
}

/** Reads an image's `tests:` list; test names must be unique within the image. */
export function readTests(reader: YamlReader, node: Node | null, target: TestTarget): TestList {
  const list: TestList = { tests: [], names: new Set() };
  const items = reader.list(node, 'tests', '[{ name: config is valid, exec: [nginx, -t] }]');
  if (items === undefined) return list;

  const firstLineByName = new Map<string, number>();
  items.forEach((item, index) => {
    const fields = reader.mapping(item, `test ${index + 1} of image "${target.imageName}"`, TEST_KEYS);
    if (fields === undefined) return;

    const named = readTestName(reader, fields, index, target.imageName);
    if (named === undefined) {
      // Still check the rest of the test, so that one run of the loader reports all its problems.
      const check = readCheck(reader, fields, `test ${index + 1} of image "${target.imageName}"`, target, target.timeoutMs);
      readComparison(reader, fields, checkKindOf(fields), target, check?.kind === 'steps' ? check.steps : undefined);
      return;
    }

    const firstLine = firstLineByName.get(named.name);
    if (firstLine !== undefined) {
      reader.report(
        named.location,
        `duplicate test name "${named.name}" in image "${target.imageName}", first used on line ${firstLine}; ` +
          'give each test of an image its own name',
      );
      return;
    }
    firstLineByName.set(named.name, named.location.line);
    list.names.add(named.name);

    const test = readTest(reader, fields, named, target);
    if (test !== undefined) list.tests.push(test);
  });

  return list;
}

interface TestName {
  name: string;
  location: SourceLocation;
}

function readTestName(reader: YamlReader, fields: Fields, index: number, imageName: string): TestName | undefined {
  const field = fields.get('name');
  if (field === undefined) {
    reader.reportAt(fields.node, `test ${index + 1} of image "${imageName}" has no name; add one, such as name: serves the home page`);
    return undefined;
  }

  const name = reader.text(field.value, 'test name');
  if (name === undefined) return undefined;

  if (name.trim() === '') {
    reader.reportAt(field.value, 'test name must not be empty; say what the test checks, such as "serves the home page"');
    return undefined;
  }
  return { name, location: reader.locateValue(field) };
}

function readTest(reader: YamlReader, fields: Fields, named: TestName, target: TestTarget): MatrixTest | undefined {
  const timeout = fields.get('timeout');
  const retries = fields.get('retries');
  const timeoutMs = timeout === undefined ? target.timeoutMs : reader.duration(timeout.value, 'timeout');
  const check = readCheck(reader, fields, `test "${named.name}"`, target, timeoutMs ?? target.timeoutMs);
  const comparison = readComparison(reader, fields, checkKindOf(fields), target, check?.kind === 'steps' ? check.steps : undefined);
  const retryCount = retries === undefined ? target.retries : readRetries(reader, retries.value);
  const slowRatioField = fields.get('slowRatio');
  const slowRatio = slowRatioField === undefined ? target.slowRatio : readSlowRatio(reader, slowRatioField.value);
  if (check === undefined || comparison === undefined || timeoutMs === undefined || retryCount === undefined || slowRatio === undefined) return undefined;

  if (comparison !== null) check.compare = comparison;
  return { name: named.name, check, timeoutMs, retries: retryCount, slowRatio, location: named.location };
}

const CHECK_KINDS = ['http', 'exec', 'steps'] as const;

/** Returns the kind of a test's check, or undefined when it has none or several (reported by readCheck). */
function checkKindOf(fields: Fields): (typeof CHECK_KINDS)[number] | undefined {
  const written = CHECK_KINDS.filter((kind) => fields.get(kind) !== undefined);
  return written.length === 1 ? written[0] : undefined;
}

/**
 * Reads the one check of a test, `http:`, `exec:` or `steps:`, with its expectations.
 * `timeoutMs` is the test's timeout, which bounds the waits of steps that set none.
 */
function readCheck(reader: YamlReader, fields: Fields, testLabel: string, target: TestTarget, timeoutMs: number): Check | undefined {
  const http = fields.get('http');
  const exec = fields.get('exec');
  const steps = fields.get('steps');
  const expect = fields.get('expect');

  const written = [http, exec, steps].filter((field): field is Field => field !== undefined);
  if (written.length === 0) {
    reader.reportAt(fields.node, `${testLabel} has no check; add http:, exec: or steps:`);
    return undefined;
  }

  if (written.length > 1) {
    const [first, second] = written.sort((a, b) => reader.locate(a.key).line - reader.locate(b.key).line);
    reader.reportAt(
      second!.key,
      `${testLabel} has both ${first!.name}: and ${second!.name}:; keep one check in this test and move the other into a test of its own`,
    );
    return undefined;
  }

  if (steps !== undefined) {
    if (expect !== undefined) {
      reader.reportAt(expect.key, `${testLabel} has steps:, so its expectations belong in the steps; write them as expect: on an exec step or as an expect: { step: NAME, ... } step`);
      return undefined;
    }
    const list = readSteps(reader, steps.value, testLabel, { imageName: target.imageName, ports: target.ports, mounts: target.mounts, timeoutMs });
    return list === undefined ? undefined : { kind: 'steps', steps: list.steps };
  }

  if (http !== undefined) {
    if (expect !== undefined) {
      reader.reportAt(
        expect.key,
        `${testLabel} is an http check, so its expect: belongs inside http:; move it to http: { expect: ... }`,
      );
    }
    return readHttpCheck(reader, http, target);
  }

  return readExecCheck(reader, exec!, expect);
}

function readExecCheck(reader: YamlReader, exec: Field, expect: Field | undefined): Check | undefined {
  const command = reader.textList(exec.value, 'exec', '[nginx, -t]');
  const expectation = expect === undefined ? { exitCode: 0, stdout: [], stderr: [] } : readExecExpectation(reader, expect.value);
  if (command === undefined || expectation === undefined) return undefined;

  return { kind: 'exec', command, expect: expectation };
}

function readHttpCheck(reader: YamlReader, http: Field, target: TestTarget): Check | undefined {
  const fields = reader.mapping(http.value, 'http', HTTP_KEYS);
  if (fields === undefined) return undefined;

  const portField = fields.get('port');
  const pathField = fields.get('path');
  const methodField = fields.get('method');
  const headersField = fields.get('headers');
  const bodyField = fields.get('body');
  const expectField = fields.get('expect');

  if (portField === undefined) {
    reader.reportAt(http.key, `http has no port:; add the container port to send the request to, such as port: ${target.ports[0] ?? 80}`);
  }

  const port = portField === undefined ? undefined : readListedPort(reader, portField.value, 'http.port', target.imageName, target.ports);
  const path = pathField === undefined ? '/' : readUrlPath(reader, pathField.value, 'http.path');
  const method = methodField === undefined ? 'GET' : readMethod(reader, methodField.value, 'http.method');
  const headers = headersField === undefined ? {} : readRequestHeaders(reader, headersField.value);
  const body = bodyField === undefined ? undefined : reader.string(bodyField.value, 'http.body', { allowEmpty: true });
  const expect = expectField === undefined ? { status: 200, body: [], headers: {} } : readHttpExpectation(reader, expectField.value);

  if (port === undefined || path === undefined || method === undefined || headers === undefined || expect === undefined) return undefined;
  if (bodyField !== undefined && body === undefined) return undefined;

  const check: Check = { kind: 'http', port, path, method, headers, expect };
  if (body !== undefined) check.body = body;
  return check;
}

function readRequestHeaders(reader: YamlReader, node: Node | null): Record<string, string> | undefined {
  const fields = reader.mapping(node, 'http.headers');
  if (fields === undefined) return undefined;

  const headers: Record<string, string> = {};
  let valid = true;
  for (const field of fields.list()) {
    const value = reader.text(field.value, `header ${field.name}`);
    if (value === undefined) valid = false;
    else headers[field.name] = value;
  }
  return valid ? headers : undefined;
}

/** Reads `http.expect:`; the status defaults to 200 when not written. */
function readHttpExpectation(reader: YamlReader, node: Node | null): HttpExpectation | undefined {
  const fields = reader.mapping(node, 'http.expect', HTTP_EXPECT_KEYS);
  if (fields === undefined) return undefined;

  const statusField = fields.get('status');
  const bodyField = fields.get('body');
  const headersField = fields.get('headers');

  const status = statusField === undefined ? 200 : readStatus(reader, statusField.value, 'http.expect.status');
  const body = bodyField === undefined ? [] : reader.patterns(bodyField.value, 'http.expect.body');
  const headers = headersField === undefined ? {} : readExpectedHeaders(reader, headersField.value);
  if (status === undefined || body === undefined || headers === undefined) return undefined;

  return { status, body, headers };
}

/** Reads expected response headers; names are stored in lower case, as HTTP compares them. */
function readExpectedHeaders(reader: YamlReader, node: Node | null): Record<string, Pattern> | undefined {
  const fields = reader.mapping(node, 'http.expect.headers');
  if (fields === undefined) return undefined;

  const headers: Record<string, Pattern> = {};
  let valid = true;
  for (const field of fields.list()) {
    const pattern = reader.pattern(field.value, `header ${field.name}`);
    if (pattern === undefined) valid = false;
    else headers[field.name.toLowerCase()] = pattern;
  }
  return valid ? headers : undefined;
}
