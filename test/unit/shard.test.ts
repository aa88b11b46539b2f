import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assignShards, formatShard, imageWeight, parseShard, selectShard } from '../../src/driver/shard.js';
import { parseMatrix } from '../../src/matrix/loader.js';
import type { ImageSpec } from '../../src/matrix/types.js';

/** Parses a matrix whose images have the given numbers of exec tests, in this order. */
function imagesWithTests(testCounts: Record<string, number>, suites: Record<string, number> = {}): ImageSpec[] {
  const lines = ['version: 1', 'runtimes:', '  runc: { oci: runc, baseline: true }', '  runsc: { oci: runsc }', 'images:'];
  for (const [name, count] of Object.entries(testCounts)) {
    lines.push(`  ${name}:`, `    image: localhost/${name}:1`, '    tests:');
    for (let index = 0; index < count; index += 1) {
      lines.push(`      - { name: test ${index}, exec: [true] }`);
    }
    const suiteCount = suites[name] ?? 0;
    if (suiteCount > 0) {
      lines.push(`    suites: [${Array.from({ length: suiteCount }, (_, index) => `suites/${name}-${index}.spec.ts`).join(', ')}]`);
    }
  }
  return parseMatrix(`${lines.join('\n')}\n`, '/work/matrix.yaml', { checkFiles: false }).images;
}

function namesOf(shards: ImageSpec[][]): string[][] {
  return shards.map((shard) => shard.map((image) => image.name));
}

function weightOf(shard: ImageSpec[]): number {
  return shard.reduce((total, image) => total + imageWeight(image), 0);
}

const TWELVE = imagesWithTests({
  nginx: 8,
  redis: 6,
  postgres: 9,
  python: 3,
  node: 4,
  go: 2,
  java: 12,
  memcached: 1,
  haproxy: 5,
  busybox: 1,
  curl: 2,
  sqlite: 7,
});

describe('parseShard', () => {
  test('reads index and total', () => {
    assert.deepEqual(parseShard('2/4'), { index: 2, total: 4 });
  });

  test('accepts a single shard', () => {
    assert.deepEqual(parseShard('1/1'), { index: 1, total: 1 });
  });

  test('rejects index zero', () => {
    assert.throws(() => parseShard('0/2'), /index in "0\/2" must be from 1 to 2/);
  });

  test('rejects index above total', () => {
    assert.throws(() => parseShard('3/2'), /index in "3\/2" must be from 1 to 2, such as 1\/2 or 2\/2/);
  });

  test('rejects total zero', () => {
    assert.throws(() => parseShard('1/0'), /total in "1\/0" must be 1 or more/);
  });

  test('rejects non-numbers', () => {
    assert.throws(() => parseShard('a/b'), /expected INDEX\/TOTAL as two whole numbers, such as 1\/4, got "a\/b"/);
  });

  test('rejects a bare number', () => {
    assert.throws(() => parseShard('2'), /expected INDEX\/TOTAL/);
  });

  test('rejects negative and fractional values', () => {
    assert.throws(() => parseShard('-1/2'), /expected INDEX\/TOTAL/);
    assert.throws(() => parseShard('1.5/2'), /expected INDEX\/TOTAL/);
  });

  test('formats back to its input', () => {
    assert.equal(formatShard(parseShard('3/7')), '3/7');
  });
});

describe('assignShards', () => {
  test('places every image exactly once', () => {
    for (const total of [1, 2, 3, 5, 12, 20]) {
      const placed = namesOf(assignShards(TWELVE, total)).flat().sort();
      const expected = TWELVE.map((image) => image.name).sort();
      assert.deepEqual(placed, expected, `total ${total}`);
    }
  });

  test('makes the requested number of shards', () => {
    assert.equal(assignShards(TWELVE, 5).length, 5);
  });

  test('ignores the order of images', () => {
    const reversed = [...TWELVE].reverse();
    const forward = namesOf(assignShards(TWELVE, 4)).map((shard) => [...shard].sort());
    const backward = namesOf(assignShards(reversed, 4)).map((shard) => [...shard].sort());
    assert.deepEqual(backward, forward);
  });

  test('keeps matrix order within a shard', () => {
    const order = TWELVE.map((image) => image.name);
    for (const shard of namesOf(assignShards(TWELVE, 3))) {
      const positions = shard.map((name) => order.indexOf(name));
      assert.deepEqual(positions, [...positions].sort((a, b) => a - b));
    }
  });

  test('balances test counts within one image', () => {
    for (const total of [2, 3, 4]) {
      const weights = assignShards(TWELVE, total).map(weightOf);
      const heaviestImage = Math.max(...TWELVE.map(imageWeight));
      assert.ok(Math.max(...weights) - Math.min(...weights) <= heaviestImage, `total ${total}: ${weights.join(', ')}`);
    }
  });

  test('splits two shards evenly here', () => {
    // 60 tests in all; the heaviest-first rule reaches 30 and 30 on this set.
    assert.deepEqual(assignShards(TWELVE, 2).map(weightOf), [30, 30]);
  });

  test('gives one heavy image its own shard', () => {
    const images = imagesWithTests({ big: 20, a: 3, b: 3, c: 3 });
    assert.deepEqual(namesOf(assignShards(images, 2)), [['big'], ['a', 'b', 'c']]);
  });

  test('counts each suite file once', () => {
    const [image] = imagesWithTests({ web: 2 }, { web: 3 });
    assert.equal(imageWeight(image as ImageSpec), 5);
  });

  test('leaves extra shards empty', () => {
    const images = imagesWithTests({ a: 1, b: 1 });
    assert.deepEqual(namesOf(assignShards(images, 3)), [['a'], ['b'], []]);
  });

  test('rejects a total of zero', () => {
    assert.throws(() => assignShards(TWELVE, 0), RangeError);
  });
});

describe('selectShard', () => {
  test('returns the indexed shard', () => {
    const images = imagesWithTests({ 'it-syscalls': 6, 'it-web': 2 });
    assert.deepEqual(namesOf([selectShard(images, { index: 1, total: 2 })]), [['it-syscalls']]);
    assert.deepEqual(namesOf([selectShard(images, { index: 2, total: 2 })]), [['it-web']]);
  });

  test('returns nothing beyond the images', () => {
    const images = imagesWithTests({ a: 1 });
    assert.deepEqual(selectShard(images, { index: 2, total: 2 }), []);
  });

  test('shards of one total cover all', () => {
    const total = 4;
    const names = Array.from({ length: total }, (_, index) => selectShard(TWELVE, { index: index + 1, total }))
      .flat()
      .map((image) => image.name)
      .sort();
    assert.deepEqual(names, TWELVE.map((image) => image.name).sort());
  });
});
