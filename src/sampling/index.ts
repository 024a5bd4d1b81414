/**
 * Public surface of Loupe's active-learning selection library: pure, seeded, typed arrays in, plain results out.
 * `selectBatch` is the one entry point the service needs; the strategies are exported for direct use and tests.
 */
export type { CandidatesInput, IndexInput, LabelsLike, VectorInput } from './inputs';
export { leastConfidence, margin, entropy } from './uncertainty';
export { voteEntropy, klToConsensus } from './committee';
export { createDistanceCache, updateDistanceCache, kCenterGreedy } from './k-center';
export type { DistanceCache, KCenterOptions, KCenterResult } from './k-center';
export { kmeansPlusPlus, kmeans } from './kmeans';
export type { KMeansOptions, KMeansPlusPlusOptions, KMeansResult } from './kmeans';
export { clusterSelect } from './cluster';
export type { ClusterSelectOptions, ClusterSelectResult } from './cluster';
export { hybridSelect, clusterMargin, DEFAULT_TOP_M_FACTOR, DEFAULT_MARGIN_MULTIPLIER } from './hybrid';
export type { HybridOptions, HybridResult, ClusterMarginOptions, ClusterMarginResult } from './hybrid';
export { randomSelect } from './random';
export type { RandomSelectOptions } from './random';
export { relabelOrNew } from './relabel';
export type { RelabelOrNewOptions, RelabelOrNewResult } from './relabel';
export { selectBatch, SAMPLING_STRATEGIES } from './select';
export type { SamplingStrategy, UncertaintyMeasure, SelectInputs, SelectOptions, SelectedItem, SelectResult } from './select';
