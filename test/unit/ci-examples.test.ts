import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { parseDocument } from 'yaml';

/** The CI examples of docs/ci.md: they parse, the page shows them as they are, and they use options the CLI has. */

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const cli = join(repoRoot, 'dist/src/cli/main.js');
const page = readFileSync(join(repoRoot, 'docs/ci.md'), 'utf8');

interface Step {
  run?: string;
  uses?: string;
}

interface Job {
  'runs-on'?: unknown;
  needs?: unknown;
  steps?: Step[];
  strategy?: { matrix?: { shard?: number[] } };
  parallel?: number;
  script?: string[];
  artifacts?: { reports?: { junit?: string } };
}

function readExample(name: string): { text: string; data: Record<string, unknown> } {
  const text = readFileSync(join(repoRoot, 'docs/ci', name), 'utf8');
  const document = parseDocument(text);
  assert.deepEqual(document.errors.map((error) => error.message), [], `${name} does not parse`);
  return { text, data: document.toJS() as Record<string, unknown> };
}

function helpOf(...args: string[]): string {
  const result = spawnSync(process.execPath, [cli, ...args, '--help'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

describe('GitHub Actions example', () => {
  const { text, data } = readExample('github-actions.yml');
  const jobs = data.jobs as Record<string, Job>;

  test('page shows the file', () => {
    assert.ok(page.includes(`\`\`\`yaml\n${text}\`\`\``), 'docs/ci.md differs from docs/ci/github-actions.yml');
  });

  test('shard job runs each shard', () => {
    const shards = jobs.shard?.strategy?.matrix?.shard ?? [];
    const run = jobs.shard?.steps?.find((step) => step.run?.includes('run-matrix.sh'))?.run ?? '';
    assert.deepEqual(shards, [1, 2, 3, 4]);
    assert.match(run, new RegExp(`^bash scripts/run-matrix\\.sh --shard \\$\\{\\{ matrix\\.shard \\}\\}/${shards.length} `));
  });

  test('merge job merges every shard', () => {
    const run = jobs.merge?.steps?.find((step) => step.run?.includes(' merge '))?.run ?? '';
    assert.equal(jobs.merge?.needs, 'shard');
    assert.match(run, /^node dist\/src\/cli\/main\.js merge shards\/gvmatrix-shard-\* --reports merged$/);
  });

  test('merge job publishes junit', () => {
    const publish = jobs.merge?.steps?.find((step) => step.uses?.startsWith('mikepenz/action-junit-report@'));
    assert.ok(publish, 'no JUnit publishing step');
  });

  test('tests job runs the test command', () => {
    assert.ok(jobs.tests?.steps?.some((step) => step.run === 'bash scripts/test.sh'));
  });
});

describe('GitLab CI example', () => {
  const { text, data } = readExample('gitlab-ci.yml');
  const shard = data['matrix-shard'] as Job;
  const merge = data['matrix-merge'] as Job;

  test('page shows the file', () => {
    assert.ok(page.includes(`\`\`\`yaml\n${text}\`\`\``), 'docs/ci.md differs from docs/ci/gitlab-ci.yml');
  });

  test('shard job runs each shard', () => {
    assert.equal(shard.parallel, 4);
    assert.match(shard.script?.[0] ?? '', /^bash scripts\/run-matrix\.sh --shard "\$CI_NODE_INDEX\/\$CI_NODE_TOTAL" /);
  });

  test('merge job merges every shard', () => {
    assert.ok(merge.script?.includes('node dist/src/cli/main.js merge shards/* --reports merged'));
  });

  test('merge job publishes junit', () => {
    assert.equal(merge.artifacts?.reports?.junit, 'merged/junit.xml');
  });

  test('tests job runs the test command', () => {
    assert.deepEqual((data.tests as Job).script, ['bash scripts/test.sh']);
  });
});

describe('CLI options the examples use', () => {
  test('run takes --shard and --fail-on', () => {
    const help = helpOf('run');
    assert.match(help, /--shard <index\/total>/);
    assert.match(help, /--fail-on <policy>/);
  });

  test('merge takes folders and --reports', () => {
    const help = helpOf('merge');
    assert.match(help, /Usage: gvmatrix merge \[options\] <folders\.\.\.>/);
    assert.match(help, /--reports <dir>/);
  });
});
