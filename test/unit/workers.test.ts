import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONTAINER_MEMORY_BYTES, WORKERS_ENV, baselineWorkerLimit, defaultWorkerCount, memoryPerContainer, requestedWorkers } from '../../src/driver/workers.js';
import type { ImageSpec } from '../../src/matrix/types.js';

const GIB = 1024 ** 3;

test('workers follow the CPUs', () => {
  assert.equal(defaultWorkerCount({ cpus: 2, freeMemoryBytes: 24 * GIB }, DEFAULT_CONTAINER_MEMORY_BYTES), 2);
  assert.equal(defaultWorkerCount({ cpus: 16, freeMemoryBytes: 64 * GIB }, DEFAULT_CONTAINER_MEMORY_BYTES), 16);
});

test('workers fit free memory', () => {
  assert.equal(defaultWorkerCount({ cpus: 16, freeMemoryBytes: 3 * GIB }, GIB), 3);
});

test('at least one worker', () => {
  assert.equal(defaultWorkerCount({ cpus: 8, freeMemoryBytes: 100 * 1024 ** 2 }, GIB), 1);
});

test('largest memory limit sizes containers', () => {
  const images = [{ resources: {} }, { resources: { memoryBytes: 2 * GIB } }] as ImageSpec[];
  assert.equal(memoryPerContainer(images), 2 * GIB);
  assert.equal(memoryPerContainer([{ resources: { memoryBytes: 64 * 1024 ** 2 } }] as ImageSpec[]), DEFAULT_CONTAINER_MEMORY_BYTES);
});

test('baseline gets its share of workers', () => {
  assert.equal(baselineWorkerLimit(2, 4), 1);
  assert.equal(baselineWorkerLimit(2, 2), 1);
  assert.equal(baselineWorkerLimit(4, 2), 2);
  assert.equal(baselineWorkerLimit(16, 4), 4);
  assert.equal(baselineWorkerLimit(3, 2), 2);
});

test('baseline unlimited with one worker', () => {
  assert.equal(baselineWorkerLimit(1, 4), undefined);
});

test('workers from the environment', () => {
  assert.equal(requestedWorkers({ [WORKERS_ENV]: '3' }), 3);
  assert.equal(requestedWorkers({}), undefined);
  assert.equal(requestedWorkers({ [WORKERS_ENV]: '0' }), undefined);
  assert.equal(requestedWorkers({ [WORKERS_ENV]: 'many' }), undefined);
});
