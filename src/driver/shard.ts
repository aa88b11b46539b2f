/**
 * Splits the images of a matrix across CI machines for `gvmatrix run --shard I/N`.
 *
 * gvmatrix does not pass `--shard` to Playwright. Playwright 1.65 shards the ordered list
 * of test groups of all projects together, and with `fullyParallel` a group is one test of
 * one project (one runtime). The runc project's tests come before the runsc project's, so
 * shard 1/2 would run mostly baseline tests and shard 2/2 mostly sandbox tests, and neither
 * could pair a sandbox result with its baseline. gvmatrix therefore shards by image: each
 * shard runs every test of its images under every runtime, and its own reporter pairs them.
 *
 * For the same reason `gvmatrix merge` reads each shard's results.json rather than
 * Playwright's blob reports. The gvmatrix reporter needs the run context file and the runsc
 * binaries (for gVisor's support table) of the machine that ran the tests, and results.json
 * already contains every result that pairing needs.
 */
import type { ImageSpec } from '../matrix/types.js';
import { compareText } from '../report/compare-text.js';

/** One slice of a sharded run: `index` counts from 1 up to `total`. */
export interface ShardSpec {
  index: number;
  total: number;
}

/**
 * Parses `I/N` as `--shard` takes it. Throws an error whose message names the value and a
 * valid form, for the CLI to show as an invalid argument.
 */
export function parseShard(text: string): ShardSpec {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) {
    throw new Error(`expected INDEX/TOTAL as two whole numbers, such as 1/4, got "${text}"`);
  }

  const index = Number(match[1]);
  const total = Number(match[2]);
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(total)) {
    throw new Error(`the numbers in "${text}" are too large: use a total no larger than the number of machines`);
  }
  if (total < 1) {
    throw new Error(`the shard total in "${text}" must be 1 or more, such as 1/2`);
  }
  if (index < 1 || index > total) {
    throw new Error(`the shard index in "${text}" must be from 1 to ${total}, such as 1/${total} or ${total}/${total}`);
  }
  return { index, total };
}

/** Formats a shard as `--shard` takes it. */
export function formatShard(shard: ShardSpec): string {
  return `${shard.index}/${shard.total}`;
}

/**
 * Returns the number of tests that stands for an image's share of the work when balancing
 * shards. Each test starts its own container under every runtime, so the test count is
 * roughly proportional to the time an image takes.
 */
export function imageWeight(image: ImageSpec): number {
  // NOTE: a suite file counts as one test, because its test count is known only after
  // Playwright loads it. Images with large suites make the shards less even than this count suggests.
  return Math.max(1, image.tests.length + image.suites.length);
}

/**
 * Splits images into `total` shards, each in matrix order, so that the shards' summed
 * weights are close. Every image lands in exactly one shard, and the split depends only
 * on the image names and weights, not on their order, so every machine of a CI job
 * computes the same split from the same matrix and `--image` selection.
 *
 * Each image goes into the shard with the smallest sum so far (the lowest index on a
 * tie), which keeps the largest and smallest sums within the heaviest image's weight of
 * each other. Placing the heaviest images first leaves the light ones to even out the
 * sums, as in the longest-processing-time rule of job scheduling. Adding an image to the
 * matrix can move others to another shard, which is harmless because every shard of a run
 * computes the same split.
 */
export function assignShards(images: readonly ImageSpec[], total: number): ImageSpec[][] {
  if (!Number.isSafeInteger(total) || total < 1) {
    throw new RangeError(`shard total must be a whole number of 1 or more, got ${total}`);
  }

  const heaviestFirst = [...images].sort((a, b) => imageWeight(b) - imageWeight(a) || compareText(a.name, b.name));
  const loads: number[] = new Array<number>(total).fill(0);
  const shardOf = new Map<string, number>();
  for (const image of heaviestFirst) {
    const lightest = loads.indexOf(Math.min(...loads));
    shardOf.set(image.name, lightest);
    loads[lightest] = (loads[lightest] ?? 0) + imageWeight(image);
  }

  const shards: ImageSpec[][] = Array.from({ length: total }, () => []);
  for (const image of images) {
    shards[shardOf.get(image.name) ?? 0]?.push(image);
  }
  return shards;
}

/** Returns the images of one shard, in matrix order; empty when there are more shards than images. */
export function selectShard(images: readonly ImageSpec[], shard: ShardSpec): ImageSpec[] {
  return assignShards(images, shard.total)[shard.index - 1] ?? [];
}
