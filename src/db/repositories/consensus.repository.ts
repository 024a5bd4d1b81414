import type { Sql } from '../database';
import { CURRENT } from '../annotation-sql';

/** One vote of an annotator on an item (label = class index). */
export interface VoteRow {
  item_id: string;
  annotator_id: string;
  label: number;
}

/** An annotation (unaliased `annotation`) that no RETRACTION withdraws. */
const NOT_RETRACTED = `NOT EXISTS (SELECT 1 FROM annotation r WHERE r.retracts = annotation.id)`;

/**
 * The current HUMAN annotation of each (item, annotator); within [from, to), the latest one written in the window
 * that was not retracted (a vote replaced after the window still speaks for it). Ordered by item, annotator.
 */
export function findHumanVotes(sql: Sql, projectId: string, window?: { from: Date; to: Date }): Promise<VoteRow[]> {
  return sql.query<VoteRow>(
    `SELECT DISTINCT ON (item_id, annotator_id) item_id, annotator_id, label FROM annotation
     WHERE project_id = $1 AND kind = 'HUMAN' AND ${window ? `created_at >= $2 AND created_at < $3 AND ${NOT_RETRACTED}` : CURRENT('annotation')}
     ORDER BY item_id, annotator_id, created_at DESC, id DESC`,
    window ? [projectId, window.from, window.to] : [projectId],
  );
}

/** The latest current annotation of `kind` per item (GOLD: the gold label; REVIEW: the reviewer's decision), item → label. */
export async function findLatestLabelsOfKind(sql: Sql, projectId: string, kind: 'GOLD' | 'REVIEW'): Promise<Map<string, number>> {
  const rows = await sql.query<{ item_id: string; label: number }>(
    `SELECT DISTINCT ON (item_id) item_id, label FROM annotation WHERE project_id = $1 AND kind = $2 AND ${CURRENT('annotation')}
     ORDER BY item_id, created_at DESC, id DESC`,
    [projectId, kind],
  );
  return new Map(rows.map((r) => [r.item_id, r.label]));
}

/** An item's consensus as the consensus job writes it. */
export interface ItemConsensusRow {
  itemId: string;
  label: number;
  confidence: number | null;
  method: string;
  majorityLabel: number | null;
  numAnnotations: number;
}

/** Replaces the project's item_consensus rows by `items` (items that no longer exist are skipped). */
export async function replaceItemConsensus(sql: Sql, projectId: string, runId: string | null, items: readonly ItemConsensusRow[]): Promise<void> {
  await sql.query(`DELETE FROM item_consensus WHERE project_id = $1`, [projectId]);
  if (!items.length) return;
  await sql.query(
    `INSERT INTO item_consensus (item_id, project_id, label, confidence, method, majority_label, num_annotations, run_id)
     SELECT t.item_id, $1, t.label, t.confidence, t.method, t.majority_label, t.n, $2
     FROM unnest($3::uuid[], $4::smallint[], $5::real[], $6::text[], $7::smallint[], $8::int[]) AS t(item_id, label, confidence, method, majority_label, n)
     JOIN item i ON i.id = t.item_id`,
    [
      projectId,
      runId,
      items.map((x) => x.itemId),
      items.map((x) => x.label),
      items.map((x) => x.confidence),
      items.map((x) => x.method),
      items.map((x) => x.majorityLabel),
      items.map((x) => x.numAnnotations),
    ],
  );
}

/** An annotator's quality as the consensus job writes it. */
export interface AnnotatorQualityRow {
  annotatorId: string;
  quality: number | null;
  agreementWithConsensus: number | null;
  numLabeled: number;
  goldN: number;
  goldAccuracy: number | null;
  goldLower: number | null;
  goldUpper: number | null;
}

/** Replaces the project's annotator_quality rows by `annotators` (annotators that no longer exist are skipped). */
export async function replaceAnnotatorQuality(sql: Sql, projectId: string, runId: string | null, annotators: readonly AnnotatorQualityRow[]): Promise<void> {
  await sql.query(`DELETE FROM annotator_quality WHERE project_id = $1`, [projectId]);
  if (!annotators.length) return;
  await sql.query(
    `INSERT INTO annotator_quality (annotator_id, project_id, run_id, quality, agreement_with_consensus, num_labeled, gold_n, gold_accuracy, gold_lower, gold_upper)
     SELECT t.a, $1, $2, t.q, t.agr, t.nl, t.gn, t.ga, t.gl, t.gu
     FROM unnest($3::uuid[], $4::real[], $5::real[], $6::int[], $7::int[], $8::real[], $9::real[], $10::real[]) AS t(a, q, agr, nl, gn, ga, gl, gu)
     JOIN annotator n ON n.id = t.a`,
    [
      projectId,
      runId,
      annotators.map((x) => x.annotatorId),
      annotators.map((x) => x.quality),
      annotators.map((x) => x.agreementWithConsensus),
      annotators.map((x) => x.numLabeled),
      annotators.map((x) => x.goldN),
      annotators.map((x) => x.goldAccuracy),
      annotators.map((x) => x.goldLower),
      annotators.map((x) => x.goldUpper),
    ],
  );
}

/** The stored summary of the project's last consensus run. */
export interface ConsensusSummaryRow<M = unknown> {
  run_id: string | null;
  method: string;
  weak_method: string | null;
  gold_items: number;
  methods: M[];
  counts: Record<string, number>;
  updated_at: Date;
}

/** Writes (or replaces) the project's consensus summary, stamped now. */
export async function upsertConsensusSummary(
  sql: Sql,
  projectId: string,
  s: { runId: string | null; method: string; weakMethod: string | null; goldItems: number; methods: unknown[]; counts: Record<string, number> },
): Promise<void> {
  await sql.query(
    `INSERT INTO consensus_summary (project_id, run_id, method, weak_method, gold_items, methods, counts, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, now())
     ON CONFLICT (project_id) DO UPDATE SET run_id = EXCLUDED.run_id, method = EXCLUDED.method, weak_method = EXCLUDED.weak_method,
       gold_items = EXCLUDED.gold_items, methods = EXCLUDED.methods, counts = EXCLUDED.counts, updated_at = now()`,
    [projectId, s.runId, s.method, s.weakMethod, s.goldItems, JSON.stringify(s.methods), JSON.stringify(s.counts)],
  );
}

/** The project's consensus summary, or null before the first run. */
export async function findConsensusSummary<M = unknown>(sql: Sql, projectId: string): Promise<ConsensusSummaryRow<M> | null> {
  const [s] = await sql.query<ConsensusSummaryRow<M>>(
    `SELECT run_id, method, weak_method, gold_items, methods, counts, updated_at FROM consensus_summary WHERE project_id = $1`,
    [projectId],
  );
  return s ?? null;
}

/** The consensus job's label per item, item → label (empty before the first run). */
export async function findConsensusLabels(sql: Sql, projectId: string): Promise<Map<string, number>> {
  const rows = await sql.query<{ item_id: string; label: number }>(`SELECT item_id, label FROM item_consensus WHERE project_id = $1`, [projectId]);
  return new Map(rows.map((r) => [r.item_id, r.label]));
}

/** The consensus job's quality estimate per annotator, annotator → quality (null where it has none). */
export async function findAnnotatorQualities(sql: Sql, projectId: string): Promise<Map<string, number | null>> {
  const rows = await sql.query<{ annotator_id: string; quality: number | null }>(`SELECT annotator_id, quality FROM annotator_quality WHERE project_id = $1`, [projectId]);
  return new Map(rows.map((r) => [r.annotator_id, r.quality === null ? null : Number(r.quality)]));
}
