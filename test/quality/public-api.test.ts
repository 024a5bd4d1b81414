import * as quality from '../../src/quality';

/** The public names of the quality library: checks outside this repository import them from src/quality/index.ts. */
const CONTRACT = [
  'computeConfidentJoint', 'estimateJoint', 'estimateNoiseMatrices', 'findLabelIssues', 'numLabelIssues',
  'getLabelQualityScores', 'labelHealthSummary',
  'majorityVote', 'dawidSkene', 'multiannotatorLabelQuality', 'activeLabScores',
  'cohenKappa', 'fleissKappa', 'krippendorffAlpha', 'annotatorAgreement', 'goldAccuracy',
  'lfSummary', 'majorityLabelVoter', 'fitLabelModel',
  'ks2samp', 'psi', 'chiSquareTest', 'jensenShannon', 'wasserstein1d', 'mmd2',
  'routeItems',
];

test.each(CONTRACT)('src/quality exports %s as a function', (name) => {
  expect(typeof (quality as Record<string, unknown>)[name]).toBe('function');
});
