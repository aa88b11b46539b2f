/** gvmatrix as a library: load a matrix, classify results, write reports. */
export { loadMatrix, parseMatrix, MatrixError } from './matrix/loader.js';
export type * from './matrix/types.js';
export type * from './evidence/types.js';
export type * from './report/types.js';
export { pairResults } from './report/pairing.js';
export { classify, isFailure } from './report/verdict.js';
export { buildJUnit } from './report/junit.js';
export { formatSummary } from './report/summary.js';
