/** gvmatrix as a library: load a matrix, classify results, write reports. */
export { loadMatrix, parseMatrix, MatrixError } from './matrix/loader.js';
export type * from './matrix/types.js';
export type * from './evidence/types.js';
export type * from './report/types.js';
export { pairResults } from './report/pairing.js';
export { classify, isFailure } from './report/verdict.js';
export { buildJUnit } from './report/junit.js';
export { buildHtmlReport } from './report/html.js';
export { formatSummary } from './report/summary.js';
export { assignShards, parseShard, selectShard } from './driver/shard.js';
export { mergeReports, MergeConflictError } from './report/merge.js';
export { decideGate, failsGate, FAIL_ON_POLICIES, type FailOnPolicy, type GateDecision } from './report/gate.js';
export { diffResults, type ResultsDiff } from './report/results-diff.js';
export { insertKnownEntries, type NewKnownEntry } from './matrix/known-writer.js';
