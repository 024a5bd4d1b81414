/**
 * Loupe's data-quality library: pure functions, typed arrays in, plain results out.
 * Semantics follow the published reference implementations (cleanlab 2.x, scikit-learn, statsmodels,
 * fast-krippendorff, scipy, Snorkel); the tests compare against their recorded outputs in test/fixtures.
 */
export type { LabelsInput, Matrix, MatrixInput } from './matrix';
export { QualityInputError } from './matrix';

// Label errors (confident learning)
export {
  calibrateConfidentJoint,
  computeConfidentJoint,
  estimateJoint,
  estimateLatent,
  estimateNoiseMatrices,
  getConfidentThresholds,
  numLabelIssues,
} from './confident-joint';
export type { EstimationMethod } from './confident-joint';
export type { PyMethod } from './internal/latent-algebra';
export { findLabelIssues } from './label-issues';
export type { FilterBy, FindLabelIssuesOptions } from './label-issues';
export { getLabelQualityScores } from './label-quality';
export type { LabelQualityMethod } from './label-quality';
export { findOverlappingClasses, labelHealthSummary, overallLabelHealthScore, rankClassesByLabelQuality } from './health-summary';

// Multi-annotator consensus
export { majorityVote } from './majority-vote';
export type { MajorityVoteOptions, MajorityVoteResult } from './majority-vote';
export { dawidSkene } from './dawid-skene';
export type { DawidSkeneOptions, DawidSkeneResult } from './dawid-skene';
export { multiannotatorLabelQuality } from './multiannotator';
export type { AnnotatorStats, ConsensusMethod, MultiannotatorOptions, MultiannotatorResult, QualityMethod } from './multiannotator';
export { activeLabScores } from './active-lab';
export type { ActiveLabOptions, ActiveLabResult } from './active-lab';

// Agreement
export { cohenKappa } from './cohen-kappa';
export type { CohenKappaOptions, KappaWeights } from './cohen-kappa';
export { fleissKappa } from './fleiss-kappa';
export type { FleissKappaOptions, FleissMethod } from './fleiss-kappa';
export { krippendorffAlpha, krippendorffCoincidences } from './krippendorff-alpha';
export type { KrippendorffAlphaOptions, KrippendorffLevel } from './krippendorff-alpha';
export { annotatorAgreement, goldAccuracy } from './annotator-agreement';
export type { AnnotatorAgreementOptions, AnnotatorAgreementResult, GoldAccuracy } from './annotator-agreement';

// Weak supervision
export { ABSTAIN, lfSummary } from './lf-analysis';
export type { LfMatrixInput, LfSummaryOptions, LfSummaryRow } from './lf-analysis';
export { majorityLabelVoter } from './majority-label-voter';
export type { MajorityLabelVoterResult } from './majority-label-voter';
export { fitLabelModel } from './label-model';
export type { LabelModel, LabelModelOptions } from './label-model';

// Drift
export { ks2samp } from './ks-2samp';
export type { Ks2sampMethod, Ks2sampOptions, Ks2sampResult, VectorInput } from './ks-2samp';
export { psi } from './psi';
export type { PsiOptions, PsiResult } from './psi';
export { chiSquareTest } from './chi-square';
export type { ChiSquareOptions, ChiSquareResult, CountsInput } from './chi-square';
export { jensenShannon } from './jensen-shannon';
export type { JensenShannonOptions } from './jensen-shannon';
export { wasserstein1d } from './wasserstein';
export type { Wasserstein1dOptions } from './wasserstein';
export { mmd2 } from './mmd';
export type { Mmd2Options, Mmd2Result, SampleInput } from './mmd';

// Routing
export { routeItems } from './routing';
export type { Route, RouteItemsOptions, RouteItemsResult } from './routing';
