import { findProjectSettings } from '../db/repositories/project.repository';
import type { ComputePool } from '../compute/pool';
import type { Database, Sql } from '../db/database';
import { badInput, conflict, notFound } from '../errors';
import { log } from '../logger';
import { labelHealthSummary } from '../quality';
import type { FilterBy, LabelQualityMethod } from '../quality';
import { recomputeCurrentLabels, replacePrevious } from './annotation.service';
import { AuthService, Principal } from './auth.service';
import { isUuid, uuidv7 } from './ids';
import { latestModelVersion } from '../db/repositories/model-version.repository';
import * as issues from '../db/repositories/label-issue.repository';
import type { LabelIssueDecision, LabelIssueStatus } from '../db/repositories/label-issue.repository';
import { flaggedIssues, planIssueSet, ScoringInputs, scoringInputs } from './label-issue-plan';
import { LabelHealthView, LabelIssueFilterData, LabelIssueKey, LabelIssuePage, LabelIssueView, toIssueView, toLabelHealthView } from './label-issue-views';
import { checkPageSize, pageOf, PageStart } from './page';
import { notUsedReason, usableForScoring } from './model.service';
import { ProjectService, ProjectView } from './project.service';
import type { ReadCache } from './read-cache';
import { effectiveSettings } from './settings';
import { enqueueEvent } from './webhook-outbox';

export type { LabelIssueDecision, LabelIssueStatus } from '../db/repositories/label-issue.repository';
export type { LabelHealthView, LabelIssueFilterData, LabelIssuePage, LabelIssueView } from './label-issue-views';
export const LABEL_ISSUE_STATUSES: readonly LabelIssueStatus[] = ['OPEN', 'RESOLVED'];
export const LABEL_ISSUE_DECISIONS: readonly LabelIssueDecision[] = ['ACCEPT_SUGGESTION', 'KEEP_GIVEN', 'RELABEL', 'NOT_SURE'];

/** Defaults of the labelIssues job (cleanlab's `find_label_issues` defaults); a project may set settings.labelIssues.{filterBy, rankBy}. */
export const DEFAULT_FILTER_BY: FilterBy = effectiveSettings({}).labelIssues.filterBy;
export const DEFAULT_RANK_BY: LabelQualityMethod = effectiveSettings({}).labelIssues.rankBy;
const MAX_NOTE = 2000;

/** Counts recorded on the job run. */
export interface DetectCounts {
  [k: string]: number;
  /** Labeled items with a prediction from the latest model version (0 when the project has no model). */
  labeled: number;
  flagged: number;
  /** New OPEN issues (first time flagged). */
  opened: number;
  /** New OPEN issues for items whose earlier issue was resolved, re-opened by the rule. */
  reopened: number;
  /** OPEN issues still flagged, refreshed in place. */
  refreshed: number;
  /** Flagged items whose resolved issue stays closed (no new annotation, same suggestion). */
  keptClosed: number;
  /** OPEN issues no longer flagged, deleted. */
  removed: number;
  /** OPEN issues after the run. */
  open: number;
}

export interface DetectOptions {
  runId?: string | null;
  signal?: AbortSignal;
  progress?: (fraction: number, step?: string) => Promise<void>;
}

/** A version's scoring inputs: its labeled items' labels and probabilities (items labeled with a later class left out). */
async function loadScoringInputs(sql: Sql, projectId: string, v: { id: string; classes: string[] } | null): Promise<ScoringInputs> {
  return scoringInputs(v, v ? await issues.findLabeledPredictions(sql, projectId, v.id, v.classes.length) : []);
}

export class LabelIssueService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
    private readonly compute: ComputePool,
    private readonly cache: ReadCache,
  ) {}

  /** Label issues of a project, lowest score (most likely wrong) first; a Relay connection over (score, id). */
  async labelIssues(p: Principal, projectId: string, filter: LabelIssueFilterData, first = 50, after: PageStart<LabelIssueKey> = () => null): Promise<LabelIssuePage> {
    const project = await this.projects.access(p, projectId, 'labelIssues:read');
    checkPageSize(first);
    const f: issues.LabelIssueFilter = {};
    if (filter.status !== undefined && filter.status !== null) {
      if (!LABEL_ISSUE_STATUSES.includes(filter.status)) throw badInput('status', `unknown status ${String(filter.status)}`);
      f.status = filter.status;
    }
    if (filter.minScore !== undefined && filter.minScore !== null) {
      if (!(filter.minScore >= 0 && filter.minScore <= 1)) throw badInput('minScore', 'must be in [0, 1]');
      f.minScore = filter.minScore;
    }
    if (filter.label !== undefined && filter.label !== null) {
      const idx = project.classes.indexOf(filter.label);
      if (idx < 0) throw badInput('label', `"${filter.label}" is not one of the project's classes (${project.classes.join(', ')})`);
      f.givenLabel = idx;
    }
    const key = after();
    return this.db.read(async (sql) => {
      const rows = await issues.findIssuePage(sql, project.id, f, key, first + 1);
      const n = await issues.countIssues(sql, project.id, f);
      const modelVersionId = await issues.issueSetVersionId(sql, project.id);
      return { modelVersionId, ...pageOf(rows, first, n, toIssueView, (r) => ({ score: Number(r.li_score), id: r.li_id })) };
    });
  }

  /**
   * Resolves an OPEN issue in one transaction: ACCEPT_SUGGESTION, KEEP_GIVEN and RELABEL append a REVIEW annotation
   * (by an annotator named after the caller's key) that decides the item's current label, recomputed as
   * submitAnnotations does; NOT_SURE writes no label and routes the item to EXPERT (label_issue.route).
   */
  async resolve(p: Principal, id: string, decision: LabelIssueDecision, label?: string | null, note?: string | null): Promise<LabelIssueView> {
    if (!isUuid(id)) throw notFound(`label issue ${id}`, 'id');
    return this.db.transaction(async (sql) => {
      const row = await issues.lockIssue(sql, id);
      // Out of scope answers exactly like a missing issue.
      if (!row || !AuthService.inScope(p, row.project_id)) throw notFound(`label issue ${id}`, 'id');
      const project = await this.projects.access(p, row.project_id, 'labelIssues:resolve', sql, 'id');
      if (!LABEL_ISSUE_DECISIONS.includes(decision)) throw badInput('decision', `unknown decision ${String(decision)}`);
      const hasLabel = label !== undefined && label !== null;
      let newLabel: number | null;
      if (decision === 'RELABEL') {
        if (!hasLabel) throw badInput('label', 'is required with decision RELABEL');
        newLabel = project.classes.indexOf(label);
        if (newLabel < 0) throw badInput('label', `"${label}" is not one of the project's classes (${project.classes.join(', ')})`);
      } else {
        if (hasLabel) throw badInput('label', `is only for decision RELABEL, not ${decision}`);
        newLabel = decision === 'ACCEPT_SUGGESTION' ? row.suggested_label : decision === 'KEEP_GIVEN' ? row.given_label : null;
      }
      if (note !== undefined && note !== null && note.length > MAX_NOTE) throw badInput('note', `at most ${MAX_NOTE} characters`);
      if (row.status !== 'OPEN') throw conflict('id', `label issue ${id} is already resolved`);

      // Lock the item as submitAnnotations does, so a concurrent batch on it serialises with this review.
      await issues.lockItem(sql, row.item_id);
      let annotationId: string | null = null;
      if (newLabel !== null) {
        const annotatorId = await issues.ensureHumanAnnotator(sql, project.id, p.name);
        annotationId = uuidv7();
        await issues.insertReviewAnnotation(sql, {
          id: annotationId, projectId: project.id, itemId: row.item_id, annotatorId, label: newLabel, guidelineVersion: project.guidelineVersion, apiKeyId: p.keyId,
        });
        await replacePrevious(sql, [{ id: annotationId, itemId: row.item_id, annotatorId, kind: 'REVIEW' }]);
        await recomputeCurrentLabels(sql, [row.item_id]);
      }
      const n = await issues.countLabelingAnnotations(sql, row.item_id);
      await issues.markIssueResolved(sql, id, {
        decision, resolvedLabel: newLabel, note: note ?? null, route: decision === 'NOT_SURE' ? 'EXPERT' : null, reviewAnnotationId: annotationId, votesAtResolution: n, resolvedBy: p.keyId,
      });
      const view = toIssueView((await issues.findIssue(sql, id))!);
      await enqueueEvent(sql, project.id, 'label_issue.resolved', () => ({
        labelIssue: { id: view.id, itemId: view.itemId, externalId: view.item.externalId, givenLabel: view.givenLabel, suggestedLabel: view.suggestedLabel, decision, resolvedLabel: view.resolvedLabel, route: view.route, resolvedBy: view.resolvedBy },
      }));
      return view;
    });
  }

  /**
   * cleanlab's health summary of the project's labels under one model version's (out-of-sample) predictions:
   * `modelVersionId` when given, else the version the current label-issue set came from (so class counts match the
   * issues), else, before any labelIssues run, the latest model version.
   */
  async labelHealth(p: Principal, projectId: string, modelVersionId?: string | null): Promise<LabelHealthView> {
    const project = await this.projects.access(p, projectId, 'labelIssues:read');
    if (modelVersionId !== undefined && modelVersionId !== null && !isUuid(modelVersionId)) {
      throw notFound(`model version ${modelVersionId}`, 'modelVersionId');
    }
    return this.cache.get(project.id, 'labelHealth', [modelVersionId ?? null], () => this.computeLabelHealth(project, modelVersionId));
  }

  private async computeLabelHealth(project: ProjectView, modelVersionId?: string | null): Promise<LabelHealthView> {
    const { inputs, counts } = await this.db.read(async (sql) => {
      let version: { id: string; classes: string[] } | null;
      if (modelVersionId !== undefined && modelVersionId !== null) {
        version = await latestModelVersion(sql, project.id, modelVersionId);
        if (!version) throw notFound(`model version ${modelVersionId} of this project`, 'modelVersionId');
      } else {
        const setId = await issues.issueSetVersionId(sql, project.id);
        version = setId ? await latestModelVersion(sql, project.id, setId) : await latestModelVersion(sql, project.id);
      }
      return { inputs: await loadScoringInputs(sql, project.id, version), counts: await issues.countIssuesByStatus(sql, project.id) };
    });
    const byStatus = new Map(counts.map((r) => [r.status, r.n]));
    const base = {
      modelVersionId: inputs.version?.id ?? null,
      labeledCount: inputs.itemIds.length,
      openIssues: byStatus.get('OPEN') ?? 0,
      resolvedIssues: byStatus.get('RESOLVED') ?? 0,
    };
    if (!inputs.version || inputs.itemIds.length === 0) return toLabelHealthView(base, [], null);
    const summary = labelHealthSummary(inputs.labels, { rows: inputs.itemIds.length, cols: inputs.k, data: inputs.probs });
    return toLabelHealthView(base, inputs.version.classes, summary);
  }

  /**
   * The labelIssues job's work, callable without the scheduler: confident learning (findLabelIssues, default
   * prune_by_noise_rate ranked by self_confidence) on the latest model version's predictions for labeled items —
   * out-of-sample K-fold probabilities for the built-in model, an external model's as sent — and the issue set
   * written in one transaction:
   * - a flagged item with an OPEN issue: refreshed in place (labels, score, model version, run);
   * - a flagged item whose latest issue was resolved: stays closed unless the item got a new HUMAN/GOLD/REVIEW
   *   annotation since the resolution or the suggested label changed; then a new OPEN issue (reopened_from) is added;
   * - a flagged item otherwise: a new OPEN issue;
   * - an OPEN issue whose item is no longer flagged: deleted (nobody reviewed it; resolved issues are never touched).
   * The suggested label is the model's most probable class, or the runner-up where that is the given label (only
   * the low-score methods flag such items). With no model version nothing is written.
   */
  async run(projectId: string, opts: DetectOptions = {}): Promise<DetectCounts> {
    const progress = opts.progress ?? (async () => undefined);
    const counts: DetectCounts = { labeled: 0, flagged: 0, opened: 0, reopened: 0, refreshed: 0, keptClosed: 0, removed: 0, open: 0 };
    const project = await this.db.read((sql) => findProjectSettings(sql, projectId));
    if (!project) throw notFound(`project ${projectId}`, 'projectId');
    const { filterBy, rankBy } = effectiveSettings(project.settings).labelIssues;

    await progress(0.05, 'loading predictions');
    const latest = await this.db.read((sql) => latestModelVersion(sql, projectId));
    // A built-in version worse than the label prior is not used: as without a model, nothing is written.
    if (latest && !usableForScoring(latest)) {
      log.info('label issues: latest model version not used', { project: projectId, reason: notUsedReason(latest) });
      return counts;
    }
    const inputs = await this.db.read((sql) => loadScoringInputs(sql, projectId, latest));
    if (!inputs.version) return counts;
    const n = inputs.itemIds.length;
    const k = inputs.k;
    counts.labeled = n;

    await progress(0.4, 'finding label issues');
    // Confident learning runs on a compute thread (it is O(n·k) passes over every labeled item).
    const { mask, scores } =
      n > 0
        ? await this.compute.run('labelIssues', { labels: inputs.labels, probs: inputs.probs, numClasses: k, filterBy, rankBy }, { signal: opts.signal })
        : { mask: new Uint8Array(0), scores: new Float64Array(0) };
    const flagged = flaggedIssues(inputs, mask, scores);
    counts.flagged = flagged.length;
    if (opts.signal?.aborted) throw new Error('aborted before saving label issues');

    await progress(0.8, 'saving');
    const run: issues.DetectionRun = { method: filterBy, scoreMethod: rankBy, modelVersionId: inputs.version.id, runId: opts.runId ?? null };
    await this.db.transaction(async (sql) => {
      // One writer per project at a time.
      await issues.lockIssueSet(sql, projectId, run.modelVersionId);
      const open = await issues.lockOpenIssues(sql, projectId);
      const resolved = await issues.findLastResolvedIssues(sql, projectId, flagged.map((f) => f.itemId));
      const lastResolved = new Map(resolved.map((r) => [r.item_id, r]));
      const votes = await issues.countLabelingAnnotationsByItem(sql, [...lastResolved.keys()]);
      const plan = planIssueSet(flagged, open, lastResolved, new Map(votes.map((r) => [r.item_id, r.n])));
      counts.keptClosed = plan.keptClosed;
      if (plan.stale.length) await issues.deleteIssues(sql, plan.stale);
      counts.removed = plan.stale.length;
      if (plan.refresh.length) await issues.refreshOpenIssues(sql, projectId, run, plan.refresh);
      counts.refreshed = plan.refresh.length;
      if (plan.insert.length) {
        // Joined with item: an item deleted since the predictions were read is skipped, not a failure.
        const planned = plan.insert.map((f) => ({ ...f, id: uuidv7() }));
        const ins = await issues.insertOpenIssues(sql, projectId, run, planned);
        for (const r of ins) if (r.reopened) counts.reopened++; else counts.opened++;
        // One label_issue.created event per run, listing the issues it opened or reopened.
        if (ins.length) {
          const byId = new Map(planned.map((f) => [f.id, f]));
          const classes = inputs.version!.classes;
          await enqueueEvent(sql, projectId, 'label_issue.created', () => ({
            runId: run.runId,
            modelVersionId: run.modelVersionId,
            labelIssues: ins.map((r) => {
              const f = byId.get(r.id)!;
              return { id: r.id, itemId: r.item_id, givenLabel: classes[f.given], suggestedLabel: classes[f.suggested], score: f.score, reopened: r.reopened };
            }),
          }));
        }
      }
      counts.open = await issues.countOpenIssues(sql, projectId);
    });
    await progress(1, 'done');
    return counts;
  }
}
