/**
 * Confident learning (count + filter) against cleanlab 2.9.0 reference values: every recorded call of
 * `cleanlab.count.*` and `cleanlab.filter.find_label_issues` in the five fixtures test/fixtures/cleanlab_*.json
 * (inputs, calls and versions documented in test/fixtures/README.md §1). Counts, masks and indices exact
 * (ties in any order); probabilities to 1e-6.
 */
import {
  calibrateConfidentJoint, computeConfidentJoint, computeConfidentJointWithOffDiagonals, estimateJoint,
  estimateLatent, estimateNoiseMatrices, getConfidentThresholds, numLabelIssues,
} from '../../src/quality/confident-joint';
import { PyMethod } from '../../src/quality/internal/latent-algebra';
import { FilterBy, findLabelIssues } from '../../src/quality/label-issues';
import { getLabelQualityScores, LabelQualityMethod } from '../../src/quality/label-quality';
import { expectClose } from '../helpers/fixtures';
import { CLEANLAB_CASES, CleanlabCall, CleanlabFixture, callRows, cleanlabFixture, expectRankedMatch, expectSameMask } from './cl-helpers';

const TOL = 1e-6;

/** Functions checked by this file, label-quality.test.ts and health-summary.test.ts. */
const COUNT_FNS = [
  'cleanlab.count.get_confident_thresholds', 'cleanlab.count.compute_confident_joint', 'cleanlab.count.calibrate_confident_joint',
  'cleanlab.count.estimate_joint', 'cleanlab.count.estimate_latent', 'cleanlab.count.estimate_py_and_noise_matrices_from_probabilities',
  'cleanlab.count.num_label_issues',
];
const FILTER_FNS = ['cleanlab.filter.find_label_issues'];
const OTHER_FILES_FNS = [
  'cleanlab.rank.get_label_quality_scores', // label-quality.test.ts
  'cleanlab.dataset.rank_classes_by_label_quality', 'cleanlab.dataset.find_overlapping_classes', // health-summary.test.ts
  'cleanlab.dataset.overall_label_health_score', 'cleanlab.dataset.health_summary',
];

function findCall(fx: CleanlabFixture, fn: string, kwargs: Record<string, unknown>): CleanlabCall {
  const c = fx.calls.find((x) => x.function === fn && JSON.stringify(x.kwargs) === JSON.stringify(kwargs));
  if (!c) throw new Error(`no ${fn} ${JSON.stringify(kwargs)} in ${fx.name}`);
  return c;
}

describe.each(CLEANLAB_CASES)('cleanlab fixture %s', (file) => {
  const fx = cleanlabFixture(file);
  const { labels, pred_probs: predProbs } = fx.inputs;

  test('every recorded call is covered by a test', () => {
    const known = new Set([...COUNT_FNS, ...FILTER_FNS, ...OTHER_FILES_FNS]);
    const unknown = fx.calls.filter((c) => !known.has(c.function)).map((c) => c.function);
    expect(unknown).toEqual([]);
    expect(fx.calls.length).toBe(54);
  });

  test.each(callRows(fx, COUNT_FNS))('%s', (_title, call) => {
    const kw = call.kwargs;
    const res = call.result as never;
    switch (call.function) {
      case 'cleanlab.count.get_confident_thresholds':
        expectClose(getConfidentThresholds(labels, predProbs), res, TOL);
        break;
      case 'cleanlab.count.compute_confident_joint': {
        const calibrate = kw.calibrate as boolean;
        if (kw.return_indices_of_off_diagonals) {
          const r = computeConfidentJointWithOffDiagonals(labels, predProbs, { calibrate });
          const exp = res as { confident_joint: number[][]; indices_off_diagonal: number[] };
          expect(r.confidentJoint).toEqual(exp.confident_joint);
          expect(r.indicesOffDiagonal).toEqual(exp.indices_off_diagonal);
        } else {
          expect(computeConfidentJoint(labels, predProbs, { calibrate })).toEqual(res);
        }
        break;
      }
      case 'cleanlab.count.calibrate_confident_joint': {
        const uncalibrated = findCall(fx, 'cleanlab.count.compute_confident_joint', { calibrate: false }).result as number[][];
        expect(calibrateConfidentJoint(uncalibrated, labels)).toEqual(res);
        break;
      }
      case 'cleanlab.count.estimate_joint': {
        const j = estimateJoint(labels, predProbs);
        expectClose(j, res, 1e-12);
        const total = j.flat().reduce((a, b) => a + b, 0);
        expect(Math.abs(total - 1)).toBeLessThan(1e-12);
        break;
      }
      case 'cleanlab.count.estimate_latent': {
        const calibrated = findCall(fx, 'cleanlab.count.compute_confident_joint', { calibrate: true }).result as number[][];
        const r = estimateLatent(calibrated, labels, {
          pyMethod: kw.py_method as PyMethod, convergeLatentEstimates: kw.converge_latent_estimates as boolean,
        });
        const exp = res as { py: number[]; noise_matrix: number[][]; inverse_noise_matrix: number[][] };
        expectClose(r.py, exp.py, TOL);
        expectClose(r.noiseMatrix, exp.noise_matrix, TOL);
        expectClose(r.inverseNoiseMatrix, exp.inverse_noise_matrix, TOL);
        break;
      }
      case 'cleanlab.count.estimate_py_and_noise_matrices_from_probabilities': {
        const r = estimateNoiseMatrices(labels, predProbs, {
          convergeLatentEstimates: kw.converge_latent_estimates as boolean, pyMethod: kw.py_method as PyMethod, calibrate: kw.calibrate as boolean,
        });
        const exp = res as { py: number[]; noise_matrix: number[][]; inverse_noise_matrix: number[][]; confident_joint: number[][] };
        expectClose(r.py, exp.py, TOL);
        expectClose(r.noiseMatrix, exp.noise_matrix, TOL);
        expectClose(r.inverseNoiseMatrix, exp.inverse_noise_matrix, TOL);
        expect(r.confidentJoint).toEqual(exp.confident_joint);
        break;
      }
      case 'cleanlab.count.num_label_issues':
        expect(numLabelIssues(labels, predProbs, { estimationMethod: kw.estimation_method as 'off_diagonal' })).toBe(res);
        break;
      default:
        throw new Error(`unhandled ${call.function}`);
    }
  });

  test.each(callRows(fx, FILTER_FNS))('%s', (_title, call) => {
    const kw = call.kwargs;
    const rankBy = (kw.return_indices_ranked_by as LabelQualityMethod | undefined) ?? null;
    const r = findLabelIssues(labels, predProbs, {
      filterBy: kw.filter_by as FilterBy,
      fracNoise: kw.frac_noise as number | undefined,
      numToRemovePerClass: kw.num_to_remove_per_class as number[] | undefined,
      minExamplesPerClass: kw.min_examples_per_class as number | undefined,
      rankBy,
    });
    if (rankBy === null) {
      expectSameMask(r.mask, call.result as boolean[]);
      expect(r.rankedIndices).toBeUndefined();
    } else {
      const scores = getLabelQualityScores(labels, predProbs, { method: rankBy });
      expectRankedMatch(r.rankedIndices as number[], call.result as number[], call.result_scores as number[], (i) => scores[i]);
      // the mask and the ranked list describe the same examples
      expect(r.mask.reduce((a, b) => a + (b ? 1 : 0), 0)).toBe((call.result as number[]).length);
    }
  });

  test('mask of confident_learning has numLabelIssues(off_diagonal) entries here', () => {
    const m = findLabelIssues(labels, predProbs, { filterBy: 'confident_learning' }).mask;
    expect(m.filter(Boolean).length).toBe(numLabelIssues(labels, predProbs));
  });
});
