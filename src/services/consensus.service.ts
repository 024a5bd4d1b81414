import { Database, Sql } from '../db/database';
import { decodeFloat32 } from '../db/float32';
import { badInput, clip, conflict, listed, notFound } from '../errors';
import {
  annotatorAgreement,
  fitLabelModel,
  fleissKappa,
  goldAccuracy,
  jensenShannon,
  krippendorffAlpha,
  lfSummary,
  majorityVote,
} from '../quality';
import { CURRENT } from '../db/annotation-sql';
import { AnnotationService, replacePrevious } from './annotation.service';
import { Principal } from './auth.service';
import { uuidv7 } from './ids';
import { matchItemRefs, resolveItemRefs, splitItemRefs } from './item-refs';
import { findItemsByRef } from '../db/repositories/item.repository';
import { MAX_BATCH } from './item.service';
import { ProjectService, ProjectView } from './project.service';
import type { ReadCache } from './read-cache';
import { LabelTable, MethodReport, tableMatrix } from '../quality/item-consensus';
import type { ComputePool } from '../compute/pool';
import { latestModelVersion } from '../db/repositories/model-version.repository';

export type { ConsensusMethodName, ConsensusOutcome, LabelTable, MethodReport } from '../quality/item-consensus';

const MAX_NAME = 200;
const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);
/** The label-distribution drift of an annotator compares its last DRIFT_DAYS with everything before. */
const DRIFT_DAYS = 7;

// ---- Loading ---------------------------------------------------------------------------------------------------

function buildTable(rows: ReadonlyArray<{ item_id: string; annotator_id: string; label: number | null }>, missing = NaN): LabelTable {
  const itemIdx = new Map<string, number>();
  const annIdx = new Map<string, number>();
  for (const r of rows) {
    if (!itemIdx.has(r.item_id)) itemIdx.set(r.item_id, itemIdx.size);
    if (!annIdx.has(r.annotator_id)) annIdx.set(r.annotator_id, annIdx.size);
  }
  const n = itemIdx.size;
  const m = annIdx.size;
  const data = new Float64Array(n * m).fill(missing);
  for (const r of rows) if (r.label !== null) data[itemIdx.get(r.item_id)! * m + annIdx.get(r.annotator_id)!] = r.label;
  return { itemIds: [...itemIdx.keys()], annotatorIds: [...annIdx.keys()], data };
}


/** An annotation (unaliased `annotation`) that no RETRACTION withdraws. */
const NOT_RETRACTED = `NOT EXISTS (SELECT 1 FROM annotation r WHERE r.retracts = annotation.id)`;

/**
 * The current HUMAN annotation of each (item, annotator); within [from, to), the latest one written in the window
 * that was not retracted (a vote replaced after the window still speaks for it). GOLD annotations are not
 * votes here: they are the truth the methods are compared against (a gold answer counted as a vote would make every
 * method look right on exactly the items used to compare them); REVIEW decides an item outright.
 */
async function loadHuman(sql: Sql, projectId: string, window?: { from: Date; to: Date }): Promise<LabelTable> {
  const rows = await sql.query<{ item_id: string; annotator_id: string; label: number }>(
    `SELECT DISTINCT ON (item_id, annotator_id) item_id, annotator_id, label FROM annotation
     WHERE project_id = $1 AND kind = 'HUMAN' AND ${window ? `created_at >= $2 AND created_at < $3 AND ${NOT_RETRACTED}` : CURRENT('annotation')}
     ORDER BY item_id, annotator_id, created_at DESC, id DESC`,
    window ? [projectId, window.from, window.to] : [projectId],
  );
  return buildTable(rows);
}

/** The latest annotation of `kind` per item (GOLD: the gold label; REVIEW: the reviewer's decision). */
async function loadLatestOfKind(sql: Sql, projectId: string, kind: 'GOLD' | 'REVIEW'): Promise<Map<string, number>> {
  const rows = await sql.query<{ item_id: string; label: number }>(
    `SELECT DISTINCT ON (item_id) item_id, label FROM annotation WHERE project_id = $1 AND kind = $2 AND ${CURRENT('annotation')}
     ORDER BY item_id, created_at DESC, id DESC`,
    [projectId, kind],
  );
  return new Map(rows.map((r) => [r.item_id, r.label]));
}

/**
 * Labeling functions' votes: per (item, LF) the latest of its weak_vote row (abstains included) and its WEAK
 * annotations (votes sent through submitAnnotations). Rows = items some LF was applied to; −1 = abstain.
 * Columns = every registered LF of the project (one that never voted is an all-abstain column).
 */
async function loadWeak(sql: Sql, projectId: string): Promise<{ table: LabelTable; lfNames: string[] }> {
  const lfs = await sql.query<{ id: string; name: string }>(
    `SELECT id, name FROM annotator WHERE project_id = $1 AND kind = 'LABELING_FUNCTION' ORDER BY created_at, id`,
    [projectId],
  );
  const votes = await sql.query<{ item_id: string; annotator_id: string; label: number | null }>(
    `SELECT DISTINCT ON (item_id, annotator_id) item_id, annotator_id, label FROM (
       SELECT item_id, annotator_id, label, created_at, 1 AS pri FROM weak_vote WHERE project_id = $1
       UNION ALL
       SELECT item_id, annotator_id, label, created_at, 0 AS pri FROM annotation WHERE project_id = $1 AND kind = 'WEAK' AND ${CURRENT('annotation')}
     ) v ORDER BY item_id, annotator_id, created_at DESC, pri DESC`,
    [projectId],
  );
  const lfIdx = new Map(lfs.map((l, j) => [l.id, j]));
  // WEAK annotations by an annotator of another kind become extra columns (a source not registered as an LF).
  const names = new Map(lfs.map((l) => [l.id, l.name]));
  const extra = [...new Set(votes.filter((v) => !lfIdx.has(v.annotator_id)).map((v) => v.annotator_id))];
  if (extra.length) {
    const rows = await sql.query<{ id: string; name: string }>(`SELECT id, name FROM annotator WHERE id = ANY($1::uuid[])`, [extra]);
    for (const r of rows) names.set(r.id, r.name);
  }
  const annotatorIds = [...lfs.map((l) => l.id), ...extra];
  const itemIdx = new Map<string, number>();
  for (const v of votes) if (!itemIdx.has(v.item_id)) itemIdx.set(v.item_id, itemIdx.size);
  const m = annotatorIds.length;
  const colOf = new Map(annotatorIds.map((id, j) => [id, j]));
  const data = new Float64Array(itemIdx.size * m).fill(-1);
  for (const v of votes) if (v.label !== null) data[itemIdx.get(v.item_id)! * m + colOf.get(v.annotator_id)!] = v.label;
  return { table: { itemIds: [...itemIdx.keys()], annotatorIds, data }, lfNames: annotatorIds.map((id) => names.get(id) ?? id) };
}

/** The latest model version's probabilities for `itemIds`, over the project's classes (renormalised), or null. */
async function loadPredictions(sql: Sql, project: ProjectView, itemIds: string[]): Promise<{ modelVersionId: string; probs: Map<string, Float64Array> } | null> {
  const v = await latestModelVersion(sql, project.id);
  if (!v || itemIds.length === 0) return null;
  const rows = await sql.query<{ item_id: string; probs: Uint8Array }>(
    `SELECT item_id, probs FROM prediction WHERE model_version_id = $1 AND item_id = ANY($2::uuid[])`,
    [v.id, itemIds],
  );
  const k = project.classes.length;
  const col = v.classes.map((c) => project.classes.indexOf(c));
  const probs = new Map<string, Float64Array>();
  for (const r of rows) {
    const pr = decodeFloat32(r.probs)!;
    const out = new Float64Array(k);
    let s = 0;
    for (let j = 0; j < pr.length; j++) if (col[j] >= 0) { out[col[j]] = pr[j]; s += pr[j]; }
    if (!(s > 0)) continue;
    for (let j = 0; j < k; j++) out[j] /= s;
    probs.set(r.item_id, out);
  }
  return { modelVersionId: v.id, probs };
}


// ---- Views -----------------------------------------------------------------------------------------------------

export interface ConsensusSummaryView {
  projectId: string;
  runId: string | null;
  method: string;
  weakMethod: string | null;
  goldItems: number;
  majorityVoteGoldAccuracy: number | null;
  methods: MethodReport[];
  itemsByMethod: Array<{ method: string; items: number }>;
  updatedAt: Date;
}

export interface AnnotatorStatView {
  annotatorId: string;
  name: string;
  kind: string;
  annotations: number;
  last24h: number;
  last7d: number;
  perHour24h: number;
  perHour7d: number;
  /** Items it labeled (latest HUMAN annotation per item). */
  itemsLabeled: number;
  agreementWithConsensus: number | null;
  quality: number | null;
  goldN: number;
  goldAccuracy: number | null;
  goldLower: number | null;
  goldUpper: number | null;
  labelDrift: { jsDistance: number | null; recent: number; before: number; recentShares: Array<{ label: string; share: number }> };
}

export interface AnnotatorStatsView {
  projectId: string;
  annotators: AnnotatorStatView[];
  kappa: Array<{ a: string; b: string; kappa: number | null; sharedItems: number }>;
  meanKappa: number | null;
  /** 'ITEM_CONSENSUS' when the consensus job has run (its labels), else 'MAJORITY_VOTE' (computed live). */
  consensusSource: string;
}

export interface AgreementView {
  projectId: string;
  from: Date;
  to: Date;
  annotations: number;
  items: number;
  annotators: number;
  cohenKappaMean: number | null;
  cohenPairs: number;
  fleissKappa: number | null;
  fleissRaters: number | null;
  fleissItems: number;
  krippendorffAlpha: number | null;
  pairableItems: number;
}

export interface LabelingFunctionView {
  id: string;
  name: string;
  createdAt: Date;
}

export interface WeakVoteData {
  itemId?: string | null;
  externalId?: string | null;
  label?: string | null;
}

export interface GoldItemData {
  itemId?: string | null;
  externalId?: string | null;
  label: string;
}

export interface LfSummaryView {
  projectId: string;
  items: number;
  referenceItems: number;
  goldItems: number;
  lfs: Array<{
    id: string;
    name: string;
    polarity: string[];
    votes: number;
    coverage: number;
    overlaps: number;
    conflicts: number;
    correct: number;
    incorrect: number;
    empiricalAccuracy: number | null;
    labelModelAccuracy: number | null;
  }>;
}

function checkName(name: unknown, field: string): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_NAME) throw badInput(field, `must be a non-empty name of at most ${MAX_NAME} characters`);
  return name;
}

function checkDate(d: unknown, field: string): Date {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw badInput(field, 'must be a date-time');
  return d;
}

/** Resolves itemId/externalId references to item ids, or throws naming `${field}[i]`. */
export class ConsensusService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
    private readonly annotations: AnnotationService,
    private readonly compute: ComputePool,
    private readonly cache: ReadCache,
  ) {}

  // ---- The job ------------------------------------------------------------------------------------------------

  /**
   * The consensus job: reads every annotation and weak vote of the project, computes the consensus (see
   * {@link computeConsensus}) and replaces item_consensus, annotator_quality and consensus_summary in ONE
   * transaction, so a run killed mid-way leaves the previous results in place.
   */
  async run(projectId: string, opts: { runId?: string | null; progress?: (f: number, step?: string) => Promise<void>; signal?: AbortSignal } = {}): Promise<Record<string, number>> {
    const progress = opts.progress ?? (async () => undefined);
    const [row] = await this.db.query<{ id: string; classes: string[] }>(`SELECT id, classes FROM project WHERE id = $1`, [projectId]);
    if (!row) throw notFound(`project ${projectId}`, 'projectId');
    const project = { id: row.id, classes: row.classes } as ProjectView;
    await progress(0.05, 'load');
    const { human, weak, gold, review } = await this.db.read(async (sql) => ({
      human: await loadHuman(sql, project.id),
      weak: (await loadWeak(sql, project.id)).table,
      gold: await loadLatestOfKind(sql, project.id, 'GOLD'),
      review: await loadLatestOfKind(sql, project.id, 'REVIEW'),
    }));
    const preds = await this.db.read((sql) => loadPredictions(sql, project as ProjectView, human.itemIds));
    opts.signal?.throwIfAborted();
    await progress(0.3, 'compute');
    // Dawid–Skene, CROWDLAB and the label model iterate over every vote: on a compute thread.
    const out = await this.compute.run(
      'consensus',
      { k: project.classes.length, human, weak, gold, review, predProbs: preds?.probs ?? null },
      { signal: opts.signal },
    );
    opts.signal?.throwIfAborted();
    await progress(0.7, 'write');
    const runId = opts.runId ?? null;
    await this.db.transaction(async (sql) => {
      await sql.query(`DELETE FROM item_consensus WHERE project_id = $1`, [project.id]);
      const it = out.items;
      if (it.length) {
        await sql.query(
          `INSERT INTO item_consensus (item_id, project_id, label, confidence, method, majority_label, num_annotations, run_id)
           SELECT t.item_id, $1, t.label, t.confidence, t.method, t.majority_label, t.n, $2
           FROM unnest($3::uuid[], $4::smallint[], $5::real[], $6::text[], $7::smallint[], $8::int[]) AS t(item_id, label, confidence, method, majority_label, n)
           JOIN item i ON i.id = t.item_id`,
          [
            project.id,
            runId,
            it.map((x) => x.itemId),
            it.map((x) => x.label),
            it.map((x) => (x.confidence === null ? null : Math.min(1, Math.max(0, x.confidence)))),
            it.map((x) => x.method),
            it.map((x) => x.majorityLabel),
            it.map((x) => x.numAnnotations),
          ],
        );
      }
      await sql.query(`DELETE FROM annotator_quality WHERE project_id = $1`, [project.id]);
      const an = out.annotators;
      if (an.length) {
        await sql.query(
          `INSERT INTO annotator_quality (annotator_id, project_id, run_id, quality, agreement_with_consensus, num_labeled, gold_n, gold_accuracy, gold_lower, gold_upper)
           SELECT t.a, $1, $2, t.q, t.agr, t.nl, t.gn, t.ga, t.gl, t.gu
           FROM unnest($3::uuid[], $4::real[], $5::real[], $6::int[], $7::int[], $8::real[], $9::real[], $10::real[]) AS t(a, q, agr, nl, gn, ga, gl, gu)
           JOIN annotator n ON n.id = t.a`,
          [
            project.id,
            runId,
            an.map((x) => x.annotatorId),
            an.map((x) => x.quality),
            an.map((x) => x.agreementWithConsensus),
            an.map((x) => x.numLabeled),
            an.map((x) => x.goldN),
            an.map((x) => x.goldAccuracy),
            an.map((x) => x.goldLower),
            an.map((x) => x.goldUpper),
          ],
        );
      }
      const byMethod: Record<string, number> = {};
      for (const x of it) byMethod[x.method] = (byMethod[x.method] ?? 0) + 1;
      await sql.query(
        `INSERT INTO consensus_summary (project_id, run_id, method, weak_method, gold_items, methods, counts, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, now())
         ON CONFLICT (project_id) DO UPDATE SET run_id = EXCLUDED.run_id, method = EXCLUDED.method, weak_method = EXCLUDED.weak_method,
           gold_items = EXCLUDED.gold_items, methods = EXCLUDED.methods, counts = EXCLUDED.counts, updated_at = now()`,
        [project.id, runId, out.method, out.weakMethod, out.goldItems, JSON.stringify(out.methods), JSON.stringify(byMethod)],
      );
    });
    await progress(1, 'done');
    return {
      items: out.items.length,
      annotators: out.annotators.length,
      goldItems: out.goldItems,
      humanItems: human.itemIds.length,
      weakItems: out.weakItems,
    };
  }

  // ---- Queries ------------------------------------------------------------------------------------------------

  /** The last consensus run: method used, every method's accuracy on gold, majority vote's beside it. */
  async summary(p: Principal, projectId: string): Promise<ConsensusSummaryView | null> {
    const project = await this.projects.access(p, projectId, 'consensus:read');
    const [s] = await this.db.query<{ run_id: string | null; method: string; weak_method: string | null; gold_items: number; methods: MethodReport[]; counts: Record<string, number>; updated_at: Date }>(
      `SELECT run_id, method, weak_method, gold_items, methods, counts, updated_at FROM consensus_summary WHERE project_id = $1`,
      [project.id],
    );
    if (!s) return null;
    const mv = s.methods.find((m) => m.scope === 'HUMAN' && m.method === 'MAJORITY_VOTE');
    return {
      projectId: project.id,
      runId: s.run_id,
      method: s.method,
      weakMethod: s.weak_method,
      goldItems: s.gold_items,
      majorityVoteGoldAccuracy: mv?.goldAccuracy ?? null,
      methods: s.methods,
      itemsByMethod: Object.entries(s.counts).map(([method, items]) => ({ method, items })),
      updatedAt: new Date(s.updated_at),
    };
  }

  /**
   * Per annotator (kinds HUMAN and TOOL): throughput, agreement with the consensus (the consensus job's labels where
   * it has run, else the live majority vote), accuracy on gold with a 95 % Wilson interval (live), the consensus job's
   * quality estimate, and label-distribution drift (Jensen–Shannon distance, base 2, between its HUMAN labels of the
   * last 7 days and those before); plus the pairwise Cohen's kappa of every pair of annotators sharing items.
   */
  async annotatorStats(p: Principal, projectId: string): Promise<AnnotatorStatsView> {
    const project = await this.projects.access(p, projectId, 'consensus:read');
    return this.cache.get(project.id, 'annotatorStats', [], () => this.computeAnnotatorStats(project));
  }

  private async computeAnnotatorStats(project: ProjectView): Promise<AnnotatorStatsView> {
    const k = project.classes.length;
    return this.db.read(async (sql) => {
      const ann = await sql.query<{ id: string; name: string; kind: string; total: number; d1: number; d7: number }>(
        `SELECT n.id, n.name, n.kind, count(a.id)::int AS total,
           count(a.id) FILTER (WHERE a.created_at > now() - interval '24 hours')::int AS d1,
           count(a.id) FILTER (WHERE a.created_at > now() - interval '7 days')::int AS d7
         FROM annotator n LEFT JOIN annotation a ON a.annotator_id = n.id AND a.kind <> 'RETRACTION'
         WHERE n.project_id = $1 AND n.kind IN ('HUMAN', 'TOOL') GROUP BY n.id, n.name, n.kind ORDER BY n.name`,
        [project.id],
      );
      const human = await loadHuman(sql, project.id);
      const gold = await loadLatestOfKind(sql, project.id, 'GOLD');
      const cons = new Map(
        (await sql.query<{ item_id: string; label: number }>(`SELECT item_id, label FROM item_consensus WHERE project_id = $1`, [project.id])).map((r) => [r.item_id, r.label]),
      );
      const quality = new Map(
        (await sql.query<{ annotator_id: string; quality: number | null }>(`SELECT annotator_id, quality FROM annotator_quality WHERE project_id = $1`, [project.id])).map((r) => [
          r.annotator_id,
          r.quality === null ? null : Number(r.quality),
        ]),
      );
      const mix = await sql.query<{ annotator_id: string; label: number; recent: boolean; n: number }>(
        `SELECT annotator_id, label, created_at > now() - make_interval(days => $2) AS recent, count(*)::int AS n
         FROM annotation WHERE project_id = $1 AND kind = 'HUMAN' AND ${CURRENT('annotation')} GROUP BY annotator_id, label, recent`,
        [project.id, DRIFT_DAYS],
      );

      const n = human.itemIds.length;
      const m = human.annotatorIds.length;
      const col = new Map(human.annotatorIds.map((id, j) => [id, j]));
      let agreement: Float64Array | null = null;
      let kappaM: number[][] | null = null;
      let ga: ReturnType<typeof goldAccuracy> | null = null;
      const useJob = cons.size > 0;
      if (n > 0) {
        const L = tableMatrix(human);
        let consensus: Array<number | null>;
        if (useJob) consensus = human.itemIds.map((id) => cons.get(id) ?? null);
        else consensus = Array.from(majorityVote(L).labels);
        const aa = annotatorAgreement(L, { consensusLabel: consensus });
        agreement = aa.agreementWithConsensus;
        kappaM = aa.pairwiseKappa;
        ga = goldAccuracy(L, human.itemIds.map((id) => gold.get(id) ?? null));
      }
      // Shared items per pair, in one pass over the rows.
      const shared = new Int32Array(m * m);
      const labeledPerAnnotator = new Int32Array(m);
      const cols: number[] = [];
      for (let i = 0; i < n; i++) {
        cols.length = 0;
        for (let j = 0; j < m; j++) if (!Number.isNaN(human.data[i * m + j])) cols.push(j);
        for (const a of cols) labeledPerAnnotator[a]++;
        for (let s = 0; s < cols.length; s++) for (let t = s + 1; t < cols.length; t++) shared[cols[s] * m + cols[t]]++;
      }
      const names = new Map(ann.map((a) => [a.id, a.name]));
      const nameOf = async (id: string): Promise<string> => {
        if (!names.has(id)) {
          const [r] = await sql.query<{ name: string }>(`SELECT name FROM annotator WHERE id = $1`, [id]);
          names.set(id, r?.name ?? id);
        }
        return names.get(id)!;
      };
      const kappa: AnnotatorStatsView['kappa'] = [];
      let ksum = 0;
      let kn = 0;
      for (let a = 0; a < m; a++) {
        for (let b = a + 1; b < m; b++) {
          const s = shared[a * m + b];
          if (s === 0) continue;
          const kv = fin(kappaM![a][b]);
          if (kv !== null) { ksum += kv; kn++; }
          kappa.push({ a: await nameOf(human.annotatorIds[a]), b: await nameOf(human.annotatorIds[b]), kappa: kv, sharedItems: s });
        }
      }
      const mixOf = new Map<string, { recent: Float64Array; before: Float64Array }>();
      for (const r of mix) {
        let e = mixOf.get(r.annotator_id);
        if (!e) mixOf.set(r.annotator_id, (e = { recent: new Float64Array(k), before: new Float64Array(k) }));
        if (r.label < k) (r.recent ? e.recent : e.before)[r.label] += r.n;
      }
      const sum = (v: Float64Array) => v.reduce((s, x) => s + x, 0);
      const annotators: AnnotatorStatView[] = ann.map((a) => {
        const j = col.get(a.id);
        const g = j !== undefined && ga ? ga[j] : null;
        const e = mixOf.get(a.id);
        const recent = e ? sum(e.recent) : 0;
        const before = e ? sum(e.before) : 0;
        return {
          annotatorId: a.id,
          name: a.name,
          kind: a.kind,
          annotations: a.total,
          last24h: a.d1,
          last7d: a.d7,
          perHour24h: a.d1 / 24,
          perHour7d: a.d7 / (24 * 7),
          itemsLabeled: j !== undefined ? labeledPerAnnotator[j] : 0,
          agreementWithConsensus: j !== undefined && agreement ? fin(agreement[j]) : null,
          quality: quality.get(a.id) ?? null,
          goldN: g ? g.n : 0,
          goldAccuracy: g && g.n > 0 ? g.accuracy : null,
          goldLower: g && g.n > 0 ? g.lower : null,
          goldUpper: g && g.n > 0 ? g.upper : null,
          labelDrift: {
            jsDistance: e && recent > 0 && before > 0 ? jensenShannon(e.recent, e.before) : null,
            recent,
            before,
            recentShares: e && recent > 0 ? project.classes.map((label, c) => ({ label, share: e.recent[c] / recent })) : [],
          },
        };
      });
      return { projectId: project.id, annotators, kappa, meanKappa: kn > 0 ? ksum / kn : null, consensusSource: useJob ? 'ITEM_CONSENSUS' : 'MAJORITY_VOTE' };
    });
  }

  /**
   * Agreement among annotators over the HUMAN annotations made in [from, to) (latest per item × annotator):
   * - Cohen's kappa: the mean over the annotator pairs that share at least one item (pairs whose kappa is undefined,
   *   e.g. one shared class only, are left out);
   * - Fleiss' kappa: over the items rated by the modal number r ≥ 2 of raters (ties → the larger r), since Fleiss
   *   needs the same number of raters per item; items with another number of raters are left out (`fleissItems`);
   * - Krippendorff's alpha (nominal) over every item with ≥ 2 labels (it handles missing values itself).
   * Undefined values (no pairable item, no variation) are null.
   */
  async agreement(p: Principal, projectId: string, from: Date, to: Date): Promise<AgreementView> {
    checkDate(from, 'from');
    checkDate(to, 'to');
    if (!(from.getTime() < to.getTime())) throw badInput('to', 'must be after from');
    const project = await this.projects.access(p, projectId, 'consensus:read');
    return this.cache.get(project.id, 'agreement', [from.toISOString(), to.toISOString()], () => this.computeAgreement(project, from, to));
  }

  private async computeAgreement(project: ProjectView, from: Date, to: Date): Promise<AgreementView> {
    const k = project.classes.length;
    const human = await this.db.read((sql) => loadHuman(sql, project.id, { from, to }));
    const n = human.itemIds.length;
    const m = human.annotatorIds.length;
    const raters = new Int32Array(n);
    let annotations = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) if (!Number.isNaN(human.data[i * m + j])) raters[i]++;
    for (let i = 0; i < n; i++) annotations += raters[i];
    const base: AgreementView = {
      projectId: project.id, from, to, annotations, items: n, annotators: m,
      cohenKappaMean: null, cohenPairs: 0, fleissKappa: null, fleissRaters: null, fleissItems: 0, krippendorffAlpha: null, pairableItems: 0,
    };
    if (n === 0) return base;
    // Cohen: pairs sharing items.
    const kappa = annotatorAgreement(tableMatrix(human)).pairwiseKappa;
    const sharesItem = new Uint8Array(m * m);
    for (let i = 0; i < n; i++) {
      if (raters[i] < 2) continue;
      const cs: number[] = [];
      for (let j = 0; j < m; j++) if (!Number.isNaN(human.data[i * m + j])) cs.push(j);
      for (let s = 0; s < cs.length; s++) for (let t = s + 1; t < cs.length; t++) sharesItem[cs[s] * m + cs[t]] = 1;
    }
    let ks = 0;
    for (let a = 0; a < m; a++) for (let b = a + 1; b < m; b++) {
      if (!sharesItem[a * m + b]) continue;
      const v = kappa[a][b];
      if (Number.isFinite(v)) { ks += v; base.cohenPairs++; }
    }
    base.cohenKappaMean = base.cohenPairs > 0 ? ks / base.cohenPairs : null;
    // Fleiss: items with the modal rater count.
    const freq = new Map<number, number>();
    for (let i = 0; i < n; i++) if (raters[i] >= 2) freq.set(raters[i], (freq.get(raters[i]) ?? 0) + 1);
    base.pairableItems = [...freq.values()].reduce((s, x) => s + x, 0);
    if (freq.size) {
      let r = 0;
      let best = -1;
      for (const [c, f] of freq) if (f > best || (f === best && c > r)) { r = c; best = f; }
      const counts: number[][] = [];
      for (let i = 0; i < n; i++) {
        if (raters[i] !== r) continue;
        const row = new Array<number>(k).fill(0);
        for (let j = 0; j < m; j++) { const v = human.data[i * m + j]; if (!Number.isNaN(v)) row[v]++; }
        counts.push(row);
      }
      base.fleissRaters = r;
      base.fleissItems = counts.length;
      base.fleissKappa = fin(fleissKappa(counts));
      // Krippendorff: coders × units.
      const rel = new Float64Array(m * n).fill(NaN);
      for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) rel[j * n + i] = human.data[i * m + j];
      base.krippendorffAlpha = fin(krippendorffAlpha({ rows: m, cols: n, data: rel }, { level: 'nominal' }));
    }
    return base;
  }

  // ---- Gold ---------------------------------------------------------------------------------------------------

  /**
   * Marks items as gold (known answers) by `annotator` (default "gold"), in one transaction, all or nothing. The latest
   * GOLD annotation of an item is its gold answer. Idempotent: an item already gold with the same answer, or named
   * twice in the call with the same answer (by id and by externalId), writes nothing and counts as `unchanged`; a
   * different answer for an item that is already gold is a CONFLICT unless `replace` is true. QA_LEAD and ADMIN.
   */
  async addGoldItems(
    p: Principal,
    projectId: string,
    items: GoldItemData[],
    annotator = 'gold',
    replace = false,
  ): Promise<{ added: number; unchanged: number; itemIds: string[] }> {
    if (!Array.isArray(items) || items.length === 0) throw badInput('items', 'must contain at least one item');
    if (items.length > MAX_BATCH) throw badInput('items', `at most ${MAX_BATCH} items per call, got ${items.length}`);
    checkName(annotator, 'annotator');
    return this.db.transaction(async (sql) => {
      const project = await this.projects.access(p, projectId, 'gold:manage', sql);
      const refs = splitItemRefs(items, 'items');
      items.forEach((it, i) => {
        if (!project.classes.includes(it.label)) throw badInput(`items[${i}].label`, `"${clip(it.label)}" is not one of the project's classes (${listed(project.classes)})`);
      });
      const itemIds = matchItemRefs(items, await findItemsByRef(sql, project.id, refs.ids, refs.externalIds), 'items');
      const goldRows = await sql.query<{ id: string; item_id: string; label: number; annotator: string }>(
        `SELECT a.id, a.item_id, a.label, n.name AS annotator FROM annotation a JOIN annotator n ON n.id = a.annotator_id
         WHERE a.project_id = $1 AND a.kind = 'GOLD' AND ${CURRENT('a')} AND a.item_id = ANY($2::uuid[]) ORDER BY a.item_id, a.created_at DESC, a.id DESC`,
        [project.id, [...new Set(itemIds)]],
      );
      const current = new Map<string, string>();
      for (const r of goldRows) if (!current.has(r.item_id)) current.set(r.item_id, project.classes[r.label]);
      const firstAt = new Map<string, number>();
      const write: number[] = [];
      items.forEach((it, i) => {
        const id = itemIds[i];
        const j = firstAt.get(id);
        if (j !== undefined) {
          if (items[j].label !== it.label) throw badInput(`items[${i}].label`, `names the same item as items[${j}] with another answer ("${clip(it.label)}" vs "${clip(items[j].label)}")`);
          return;
        }
        firstAt.set(id, i);
        const gold = current.get(id);
        if (gold === it.label) return;
        if (gold !== undefined && !replace) {
          throw conflict(`items[${i}].label`, `item ${id} is already gold with answer "${clip(gold)}"; send replace: true to change it to "${clip(it.label)}"`);
        }
        write.push(i);
      });
      if (write.length === 0) return { added: 0, unchanged: items.length, itemIds };
      // A replaced answer given under another annotator name is retracted, so the item keeps one gold answer (under
      // the same name the new annotation replaces it by itself).
      const rewritten = new Set(write.map((i) => itemIds[i]));
      const stale = goldRows.filter((r) => rewritten.has(r.item_id) && r.annotator !== annotator).map((r) => r.id);
      if (stale.length) await this.annotations.retractIn(sql, p, project.id, stale);
      const res = await this.annotations.submitIn(
        sql,
        p,
        project.id,
        write.map((i) => ({ itemId: itemIds[i], label: items[i].label, annotator, annotatorKind: 'HUMAN' as const, kind: 'GOLD' as const })),
      );
      return { added: res.inserted, unchanged: items.length - res.inserted, itemIds };
    });
  }

  // ---- Weak supervision ---------------------------------------------------------------------------------------

  /** Registers a labeling function (an annotator of kind LABELING_FUNCTION); registering it again returns it. */
  async registerLabelingFunction(p: Principal, projectId: string, name: string): Promise<LabelingFunctionView> {
    checkName(name, 'name');
    return this.db.transaction(async (sql) => {
      const project = await this.projects.access(p, projectId, 'weak:submit', sql);
      await sql.query(`INSERT INTO annotator (project_id, name, kind) VALUES ($1, $2, 'LABELING_FUNCTION') ON CONFLICT (project_id, name) DO NOTHING`, [project.id, name]);
      const [a] = await sql.query<{ id: string; name: string; kind: string; created_at: Date }>(
        `SELECT id, name, kind, created_at FROM annotator WHERE project_id = $1 AND name = $2`,
        [project.id, name],
      );
      if (a.kind !== 'LABELING_FUNCTION') throw conflict('name', `"${clip(name)}" is already an annotator of kind ${a.kind}`);
      return { id: a.id, name: a.name, createdAt: new Date(a.created_at) };
    });
  }

  /**
   * A labeling function's votes (label null = abstain), all or nothing. Each vote replaces the LF's previous vote on
   * the item in weak_vote (abstains included, so coverage counts the items the LF was applied to); a vote that changes
   * to a class is also appended as a WEAK annotation (history). Re-sending the same votes writes nothing.
   */
  async submitWeakLabels(p: Principal, projectId: string, lf: string, votes: WeakVoteData[]): Promise<{ votes: number; labeled: number; abstains: number; changed: number }> {
    checkName(lf, 'lf');
    if (!Array.isArray(votes) || votes.length === 0) throw badInput('votes', 'must contain at least one vote');
    if (votes.length > MAX_BATCH) throw badInput('votes', `at most ${MAX_BATCH} votes per call, got ${votes.length}`);
    return this.db.transaction(async (sql) => {
      const project = await this.projects.access(p, projectId, 'weak:submit', sql);
      const [a] = await sql.query<{ id: string }>(`SELECT id FROM annotator WHERE project_id = $1 AND name = $2 AND kind = 'LABELING_FUNCTION'`, [project.id, lf]);
      if (!a) throw notFound(`labeling function "${clip(lf)}" (register it with registerLabelingFunction)`, 'lf');
      const labels = votes.map((v, i) => {
        if (v.label === undefined || v.label === null) return null;
        const c = project.classes.indexOf(v.label);
        if (c < 0) throw badInput(`votes[${i}].label`, `"${clip(v.label)}" is not one of the project's classes (${listed(project.classes)}); null = abstain`);
        return c;
      });
      const itemIds = await resolveItemRefs(sql, project.id, votes, 'votes', { distinct: true });
      const prev = new Map(
        (await sql.query<{ item_id: string; label: number | null }>(`SELECT item_id, label FROM weak_vote WHERE annotator_id = $1 AND item_id = ANY($2::uuid[])`, [a.id, itemIds])).map((r) => [
          r.item_id,
          r.label,
        ]),
      );
      const changed = itemIds.map((_, i) => i).filter((i) => !prev.has(itemIds[i]) || prev.get(itemIds[i]) !== labels[i]);
      if (changed.length) {
        await sql.query(
          `INSERT INTO weak_vote (annotator_id, item_id, project_id, label, api_key_id)
           SELECT $1, t.item_id, $2, t.label, $3 FROM unnest($4::uuid[], $5::smallint[]) AS t(item_id, label)
           ON CONFLICT (annotator_id, item_id) DO UPDATE SET label = EXCLUDED.label, api_key_id = EXCLUDED.api_key_id, created_at = now()`,
          [a.id, project.id, p.keyId, changed.map((i) => itemIds[i]), changed.map((i) => labels[i])],
        );
        const voted = changed.filter((i) => labels[i] !== null);
        if (voted.length) {
          const ids = voted.map(() => uuidv7());
          await sql.query(
            `INSERT INTO annotation (id, project_id, item_id, annotator_id, label, kind, guideline_version, api_key_id)
             SELECT t.id, $1, t.item_id, $2, t.label, 'WEAK', $3, $4 FROM unnest($5::uuid[], $6::uuid[], $7::smallint[]) AS t(id, item_id, label)`,
            [project.id, a.id, project.guidelineVersion, p.keyId, ids, voted.map((i) => itemIds[i]), voted.map((i) => labels[i])],
          );
          // The LF's latest WEAK annotation of an item is its current one (the last of the call for an item named twice).
          const last = new Map<string, string>();
          voted.forEach((i, j) => last.set(itemIds[i], ids[j]));
          await replacePrevious(sql, [...last].map(([itemId, id]) => ({ id, itemId, annotatorId: a.id, kind: 'WEAK' as const })));
        }
      }
      const labeled = labels.filter((l) => l !== null).length;
      return { votes: votes.length, labeled, abstains: votes.length - labeled, changed: changed.length };
    });
  }

  /**
   * Snorkel's lf_summary over the items some labeling function was applied to: polarity, coverage, overlaps,
   * conflicts over all of them; correct / incorrect / empirical accuracy against a reference label (the gold label,
   * else the item's current human label) over the items that have one (null without any such vote); the label model's
   * accuracy estimate beside it.
   */
  async lfSummary(p: Principal, projectId: string): Promise<LfSummaryView> {
    const project = await this.projects.access(p, projectId, 'consensus:read');
    return this.cache.get(project.id, 'lfSummary', [], () => this.computeLfSummary(project));
  }

  private async computeLfSummary(project: ProjectView): Promise<LfSummaryView> {
    const k = project.classes.length;
    return this.db.read(async (sql) => {
      const { table, lfNames } = await loadWeak(sql, project.id);
      const gold = await loadLatestOfKind(sql, project.id, 'GOLD');
      const n = table.itemIds.length;
      const m = table.annotatorIds.length;
      const current = new Map(
        (await sql.query<{ id: string; current_label: number | null }>(`SELECT id, current_label FROM item WHERE id = ANY($1::uuid[])`, [table.itemIds])).map((r) => [r.id, r.current_label]),
      );
      const view: LfSummaryView = { projectId: project.id, items: n, referenceItems: 0, goldItems: 0, lfs: [] };
      if (m === 0) return view;
      const L = { rows: n, cols: m, data: table.data };
      const rows = n > 0 ? lfSummary(L) : table.annotatorIds.map(() => ({ polarity: [], coverage: 0, overlaps: 0, conflicts: 0 }));
      const refRows: number[] = [];
      const ref: number[] = [];
      table.itemIds.forEach((id, i) => {
        const g = gold.get(id);
        const r = g ?? current.get(id) ?? null;
        if (g !== undefined) view.goldItems++;
        if (r !== null && r < k) { refRows.push(i); ref.push(r); }
      });
      view.referenceItems = refRows.length;
      let withRef: ReturnType<typeof lfSummary> | null = null;
      if (refRows.length) {
        const sub = new Float64Array(refRows.length * m);
        refRows.forEach((i, r) => sub.set(table.data.subarray(i * m, (i + 1) * m), r * m));
        withRef = lfSummary({ rows: refRows.length, cols: m, data: sub }, { gold: ref });
      }
      let lmAcc: Float64Array | null = null;
      if (n > 0) lmAcc = Float64Array.from(fitLabelModel(L, k, { seed: 0 }).lfAccuracies);
      const votes = new Int32Array(m);
      for (let t = 0; t < table.data.length; t++) if (table.data[t] >= 0) votes[t % m]++;
      view.lfs = table.annotatorIds.map((id, j) => {
        const c = withRef ? withRef[j].correct ?? 0 : 0;
        const w = withRef ? withRef[j].incorrect ?? 0 : 0;
        return {
          id,
          name: lfNames[j],
          polarity: rows[j].polarity.map((c2) => project.classes[c2] ?? String(c2)),
          votes: votes[j],
          coverage: rows[j].coverage,
          overlaps: rows[j].overlaps,
          conflicts: rows[j].conflicts,
          correct: c,
          incorrect: w,
          empiricalAccuracy: c + w > 0 ? c / (c + w) : null,
          labelModelAccuracy: lmAcc ? fin(lmAcc[j]) : null,
        };
      });
      return view;
    });
  }
}
