import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pairResults } from '../../src/report/pairing.js';
import { EXPECT_FAILURE, baselineResult, sandboxResult } from './report-fixtures.js';

const results = [
  sandboxResult('redis', 'ping', { runtime: 'runsc-kvm' }),
  sandboxResult('redis', 'ping'),
  sandboxResult('nginx', 'serves page', { outcome: 'failed', attempts: ['failed'], error: EXPECT_FAILURE }),
  baselineResult('redis', 'ping'),
  baselineResult('nginx', 'serves page'),
  sandboxResult('nginx', 'config valid'),
];

test('pairing yields sandbox verdicts only', () => {
  const verdicts = pairResults(results, 'runc', []);
  assert.equal(verdicts.length, 4);
});

test('pairing sorts by image, test, runtime', () => {
  const verdicts = pairResults(results, 'runc', []);
  const keys = verdicts.map((record) => `${record.image}/${record.test}/${record.runtime}`);
  assert.deepEqual(keys, ['nginx/config valid/runsc', 'nginx/serves page/runsc', 'redis/ping/runsc', 'redis/ping/runsc-kvm']);
});

test('pairing matches image and test', () => {
  const verdicts = pairResults(results, 'runc', []);
  const failing = verdicts.find((record) => record.test === 'serves page');
  assert.equal(failing?.verdict, 'behavior-diff');
});

test('pairing without baseline is not-run', () => {
  const verdicts = pairResults(results, 'runc', []);
  const unpaired = verdicts.find((record) => record.test === 'config valid');
  assert.equal(unpaired?.verdict, 'not-run');
});

test('pairing shares one baseline', () => {
  const verdicts = pairResults(results, 'runc', []);
  const redis = verdicts.filter((record) => record.image === 'redis').map((record) => record.verdict);
  assert.deepEqual(redis, ['compatible', 'compatible']);
});
