import { boolArray, numberArray, textArray, uuidArray } from '../db/array-literal';
import { Database, Sql } from '../db/database';
import type { AnnotationKind } from '../db/entities/annotation.entity';
import type { AnnotatorKind } from '../db/entities/annotator.entity';
import { badInput, conflict, forbidden, notFound } from '../errors';
import { Action, AuthService, Principal } from './auth.service';
import { isUuid, uuidv7 } from './ids';
import { MAX_BATCH } from './item.service';
import { ProjectService } from './project.service';

export const ANNOTATION_KINDS: readonly AnnotationKind[] = ['HUMAN', 'MODEL', 'WEAK', 'GOLD', 'REVIEW'];
export const ANNOTATOR_KINDS: readonly AnnotatorKind[] = ['HUMAN', 'TOOL', 'MODEL', 'LABELING_FUNCTION'];
const MAX_NAME = 200;
const MAX_CLIENT_MUTATION_ID = 200;

/** The annotator kind given to an annotator created on first use, from the kind of its first annotation. */
const DEFAULT_ANNOTATOR_KIND: Record<AnnotationKind, AnnotatorKind> = {
  HUMAN: 'HUMAN',
  GOLD: 'HUMAN',
  REVIEW: 'HUMAN',
  MODEL: 'MODEL',
  WEAK: 'LABELING_FUNCTION',
};

export interface AnnotationData {
  itemId?: string | null;
  externalId?: string | null;
  annotator: string;
  annotatorKind?: AnnotatorKind | null;
  label: string;
  kind?: AnnotationKind | null;
  confidence?: number | null;
  durationMs?: number | null;
  guidelineVersion?: string | null;
  clientMutationId?: string | null;
}

export interface AnnotatorView {
  id: string;
  name: string;
  kind: AnnotatorKind;
  createdAt: Date;
}

export interface AnnotationView {
  id: string;
  projectId: string;
  itemId: string;
  annotator: AnnotatorView;
  label: string;
  kind: AnnotationKind;
  confidence: number | null;
  durationMs: number | null;
  guidelineVersion: string | null;
  clientMutationId: string | null;
  apiKeyId: string | null;
  createdAt: Date;
}

export interface SubmitResult {
  inserted: number;
  duplicates: number;
  results: Array<{ index: number; duplicate: boolean; annotation: AnnotationView }>;
}

export interface AnnotationRow {
  id: string;
  project_id: string;
  item_id: string;
  annotator_id: string;
  annotator_name: string;
  annotator_kind: AnnotatorKind;
  annotator_created_at: Date;
  label: number;
  label_name: string;
  kind: AnnotationKind;
  confidence: number | null;
  duration_ms: number | null;
  guideline_version: string | null;
  client_mutation_id: string | null;
  api_key_id: string | null;
  created_at: Date;
}

export const ANNOTATION_SELECT = `a.id, a.project_id, a.item_id, a.annotator_id, n.name AS annotator_name, n.kind AS annotator_kind,
  n.created_at AS annotator_created_at, a.label, p.classes[a.label + 1] AS label_name, a.kind, a.confidence, a.duration_ms,
  a.guideline_version, a.client_mutation_id, a.api_key_id, a.created_at`;
export const ANNOTATION_FROM = `annotation a JOIN annotator n ON n.id = a.annotator_id JOIN project p ON p.id = a.project_id`;

export function toAnnotationView(r: AnnotationRow): AnnotationView {
  return {
    id: r.id,
    projectId: r.project_id,
    itemId: r.item_id,
    annotator: { id: r.annotator_id, name: r.annotator_name, kind: r.annotator_kind, createdAt: new Date(r.annotator_created_at) },
    label: r.label_name,
    kind: r.kind,
    confidence: r.confidence === null ? null : Number(r.confidence),
    durationMs: r.duration_ms,
    guidelineVersion: r.guideline_version,
    clientMutationId: r.client_mutation_id,
    apiKeyId: r.api_key_id,
    createdAt: new Date(r.created_at),
  };
}

/** One validated input row, with ids resolved. */
interface Row {
  itemId: string;
  annotatorName: string;
  annotatorKind: AnnotatorKind | null;
  label: number;
  kind: AnnotationKind;
  confidence: number | null;
  durationMs: number | null;
  guidelineVersion: string;
  clientMutationId: string | null;
}

/** Kinds that vote for an item's current label; MODEL and WEAK are predictions, never labels. */
const VOTING_KINDS = ['HUMAN', 'GOLD', 'REVIEW'];

/** An item row locked by submit, with what its current label is derived from. */
interface LockedItem {
  id: string;
  external_id: string;
  label_counts: number[];
  review_label: number | null;
  review_order: number;
}

export class AnnotationService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
  ) {}

  /**
   * Appends annotations in one transaction, all or nothing. Idempotent by clientMutationId: a re-send returns
   * the stored annotation and writes nothing; the same id with different content is a CONFLICT.
   * Touched items are locked (in id order) so that concurrent batches on the same items serialise, and their
   * current label is recomputed in the same transaction.
   */
  async submit(p: Principal, projectId: string, input: AnnotationData[]): Promise<SubmitResult> {
    return this.db.transaction((sql) => this.submitIn(sql, p, projectId, input));
  }

  /** {@link submit} inside the caller's transaction (for services that check more before they append). */
  async submitIn(sql: Sql, p: Principal, projectId: string, input: AnnotationData[]): Promise<SubmitResult> {
    if (!Array.isArray(input) || input.length === 0) throw badInput('annotations', 'must contain at least one annotation');
    if (input.length > MAX_BATCH) throw badInput('annotations', `at most ${MAX_BATCH} annotations per call, got ${input.length}`);
    {
      const project = await this.projects.access(p, projectId, 'project:read', sql);
      const n = input.length;
      // 1. Validate every field before touching anything.
      const kinds = new Map<AnnotationKind, number>(); // kind → first index with it
      const cmidAt = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const a = input[i];
        const kind = a.kind ?? 'HUMAN';
        if (!ANNOTATION_KINDS.includes(kind)) throw badInput(`annotations[${i}].kind`, `unknown kind ${String(kind)}`);
        if (!kinds.has(kind)) kinds.set(kind, i);
        const hasId = a.itemId !== undefined && a.itemId !== null;
        const hasExt = a.externalId !== undefined && a.externalId !== null;
        if (hasId === hasExt) throw badInput(`annotations[${i}].itemId`, 'give exactly one of itemId and externalId');
        if (typeof a.annotator !== 'string' || a.annotator.trim() === '' || a.annotator.length > MAX_NAME) {
          throw badInput(`annotations[${i}].annotator`, `must be a non-empty name of at most ${MAX_NAME} characters`);
        }
        if (a.annotatorKind !== undefined && a.annotatorKind !== null && !ANNOTATOR_KINDS.includes(a.annotatorKind)) {
          throw badInput(`annotations[${i}].annotatorKind`, `unknown kind ${String(a.annotatorKind)}`);
        }
        if (project.classes.indexOf(a.label) < 0) {
          throw badInput(`annotations[${i}].label`, `"${a.label}" is not one of the project's classes (${project.classes.join(', ')})`);
        }
        if (a.confidence !== undefined && a.confidence !== null && !(a.confidence >= 0 && a.confidence <= 1)) {
          throw badInput(`annotations[${i}].confidence`, 'must be in [0, 1]');
        }
        if (a.durationMs !== undefined && a.durationMs !== null && !(Number.isInteger(a.durationMs) && a.durationMs >= 0)) {
          throw badInput(`annotations[${i}].durationMs`, 'must be a non-negative integer');
        }
        const cmid = a.clientMutationId;
        if (cmid !== undefined && cmid !== null) {
          if (cmid.length === 0 || cmid.length > MAX_CLIENT_MUTATION_ID) {
            throw badInput(`annotations[${i}].clientMutationId`, `must have 1..${MAX_CLIENT_MUTATION_ID} characters`);
          }
          const prev = cmidAt.get(cmid);
          if (prev !== undefined) throw badInput(`annotations[${i}].clientMutationId`, `duplicate of annotations[${prev}] in the same call`);
          cmidAt.set(cmid, i);
        }
      }
      for (const [k, i] of kinds) {
        const action = `annotations:submit:${k}` as Action;
        if (!AuthService.can(p, action)) throw forbidden(`role ${p.role} may not submit ${k} annotations`, `annotations[${i}].kind`);
      }

      // 2. Resolve and lock the items (id order: concurrent overlapping batches cannot deadlock on them).
      const byItemId = new Set<string>();
      const exts = new Set<string>();
      for (let i = 0; i < n; i++) {
        const a = input[i];
        if (a.itemId !== undefined && a.itemId !== null) {
          if (!isUuid(a.itemId)) throw notFound(`item ${a.itemId}`, `annotations[${i}].itemId`);
          byItemId.add(a.itemId);
        } else exts.add(a.externalId!);
      }
      // With the lock, each item's vote counts and latest review: the current label is updated from them below.
      // review_order: 1 when a REVIEW written now would be later than the stored one, 0 at the same instant, -1 earlier.
      const found = await sql.query<LockedItem>(
        `SELECT id, external_id, label_counts, review_label,
                CASE WHEN review_at IS NULL OR review_at < now() THEN 1 WHEN review_at = now() THEN 0 ELSE -1 END AS review_order
         FROM item WHERE project_id = $1 AND (id = ANY($2::uuid[]) OR external_id = ANY($3::text[]))
         ORDER BY id FOR UPDATE`,
        [project.id, uuidArray([...byItemId]), textArray([...exts])],
      );
      const byId = new Set(found.map((r) => r.id));
      const byExt = new Map(found.map((r) => [r.external_id, r.id]));
      const rows: Row[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const a = input[i];
        let itemId: string | undefined;
        if (a.itemId !== undefined && a.itemId !== null) {
          if (!byId.has(a.itemId)) throw notFound(`item ${a.itemId}`, `annotations[${i}].itemId`);
          itemId = a.itemId;
        } else {
          itemId = byExt.get(a.externalId!);
          if (!itemId) throw notFound(`item with externalId "${a.externalId}"`, `annotations[${i}].externalId`);
        }
        rows[i] = {
          itemId,
          annotatorName: a.annotator,
          annotatorKind: a.annotatorKind ?? null,
          label: project.classes.indexOf(a.label),
          kind: a.kind ?? 'HUMAN',
          confidence: float32Confidence(a.confidence),
          durationMs: a.durationMs ?? null,
          guidelineVersion: a.guidelineVersion ?? project.guidelineVersion,
          clientMutationId: a.clientMutationId ?? null,
        };
      }

      // 3. Annotators by name, created on first use (sorted: concurrent creators take locks in one order).
      const annotators = await this.ensureAnnotators(sql, project.id, rows);
      const annotatorList = [...annotators.values()];
      const annotatorIndex = new Map(annotatorList.map((a, k) => [a.name, k + 1])); // 1-based, as SQL arrays

      // 4. One statement inserts every row and ends the leases: an annotation ends its annotator's lease on the item
      //    (see SelectionService.nextBatch), re-sends included. Ids are made here (time-ordered UUIDs), so nothing is
      //    read back in the common case where every row is new: the statement answers with a count and the time.
      //    ON CONFLICT skips a clientMutationId already stored (a re-send, or a concurrent call that committed first).
      const ids = new Array<string>(n);
      for (let i = 0; i < n; i++) ids[i] = uuidv7();
      const [{ inserted: insertedCount, created_at: createdAt }] = await sql.query<{ inserted: number; created_at: Date }>(
        `WITH t AS (
           SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::int[], $5::smallint[], $6::text[], $7::real[], $8::int[], $9::text[], $10::text[])
             AS t(id, item_id, annotator, label, kind, confidence, duration_ms, guideline_version, client_mutation_id)
         ), gone AS (
           DELETE FROM lease l USING t
           WHERE l.project_id = $1 AND l.item_id = t.item_id AND l.annotator = ($12::text[])[t.annotator]
         ), ins AS (
           INSERT INTO annotation (id, project_id, item_id, annotator_id, label, kind, confidence, duration_ms, guideline_version, client_mutation_id, api_key_id)
           SELECT t.id, $1, t.item_id, ($11::uuid[])[t.annotator], t.label, t.kind, t.confidence, t.duration_ms, t.guideline_version,
                  t.client_mutation_id, $13
           FROM t
           ON CONFLICT (project_id, client_mutation_id) DO NOTHING
           RETURNING 1
         )
         SELECT (SELECT count(*) FROM ins)::int AS inserted, now() AS created_at`,
        [
          project.id,
          uuidArray(ids),
          uuidArray(rows.map((r) => r.itemId)),
          numberArray(rows.map((r) => annotatorIndex.get(r.annotatorName)!)),
          numberArray(rows.map((r) => r.label)),
          textArray(rows.map((r) => r.kind)),
          numberArray(rows.map((r) => r.confidence)),
          numberArray(rows.map((r) => r.durationMs)),
          textArray(rows.map((r) => r.guidelineVersion)),
          textArray(rows.map((r) => r.clientMutationId)),
          uuidArray(annotatorList.map((a) => a.id)),
          textArray(annotatorList.map((a) => a.name)),
          p.keyId,
        ],
      );

      // 5. Rows skipped by ON CONFLICT: read back by clientMutationId (a stored row with another id is not ours) and
      //    compared; the same id with different content is a CONFLICT. Rows this call inserted are left out.
      const stored = new Map<number, AnnotationRow>();
      if (insertedCount < n) {
        const withCmid = rows.filter((r) => r.clientMutationId !== null).map((r) => r.clientMutationId!);
        const late = await sql.query<AnnotationRow>(
          `SELECT ${ANNOTATION_SELECT} FROM ${ANNOTATION_FROM}
           WHERE a.project_id = $1 AND a.client_mutation_id = ANY($2::text[]) AND NOT a.id = ANY($3::uuid[])`,
          [project.id, textArray(withCmid), uuidArray(ids)],
        );
        for (const r of late) {
          const i = cmidAt.get(r.client_mutation_id!)!;
          assertSameContent(rows[i], r, i);
          stored.set(i, r);
        }
        if (n - stored.size !== insertedCount) throw new Error(`submit: ${insertedCount} rows inserted, ${n - stored.size} expected`);
      }

      // 6. Current labels of the touched items, from their locked counts plus the votes just inserted.
      const votes = rows.filter((r, i) => !stored.has(i) && VOTING_KINDS.includes(r.kind));
      if (votes.length) await applyVotes(sql, project.classes.length, found, votes);

      // 7. Results in input order, built only if the caller asks for them.
      const createdAtDate = new Date(createdAt);
      const build = (): SubmitResult['results'] =>
        rows.map((row, i) => {
          const old = stored.get(i);
          if (old) return { index: i, duplicate: true, annotation: toAnnotationView(old) };
          const annotation: AnnotationView = {
            id: ids[i],
            projectId: project.id,
            itemId: row.itemId,
            annotator: annotators.get(row.annotatorName)!,
            label: project.classes[row.label],
            kind: row.kind,
            confidence: row.confidence,
            durationMs: row.durationMs,
            guidelineVersion: row.guidelineVersion,
            clientMutationId: row.clientMutationId,
            apiKeyId: p.keyId,
            createdAt: createdAtDate,
          };
          return { index: i, duplicate: false, annotation };
        });
      let results: SubmitResult['results'] | undefined;
      return {
        inserted: insertedCount,
        duplicates: n - insertedCount,
        get results() {
          return (results ??= build());
        },
      };
    }
  }

  private async ensureAnnotators(sql: Sql, projectId: string, rows: Row[]): Promise<Map<string, AnnotatorView>> {
    const wanted = new Map<string, AnnotatorKind>();
    for (const r of rows) if (!wanted.has(r.annotatorName)) wanted.set(r.annotatorName, r.annotatorKind ?? DEFAULT_ANNOTATOR_KIND[r.kind]);
    const names = [...wanted.keys()].sort();
    type A = { id: string; name: string; kind: AnnotatorKind; created_at: Date };
    const view = (r: A): AnnotatorView => ({ id: r.id, name: r.name, kind: r.kind, createdAt: new Date(r.created_at) });
    const existing = await sql.query<A>(
      `SELECT id, name, kind, created_at FROM annotator WHERE project_id = $1 AND name = ANY($2::text[])`,
      [projectId, names],
    );
    const ids = new Map(existing.map((r) => [r.name, view(r)]));
    const missing = names.filter((nm) => !ids.has(nm));
    if (missing.length) {
      await sql.query(
        `INSERT INTO annotator (project_id, name, kind) SELECT $1, * FROM unnest($2::text[], $3::text[])
         ON CONFLICT (project_id, name) DO NOTHING`,
        [projectId, missing, missing.map((nm) => wanted.get(nm))],
      );
      const again = await sql.query<A>(
        `SELECT id, name, kind, created_at FROM annotator WHERE project_id = $1 AND name = ANY($2::text[])`,
        [projectId, missing],
      );
      for (const r of again) ids.set(r.name, view(r));
    }
    return ids;
  }

  /** Annotations of many items at once (for item.annotations), oldest first. */
  async forItems(itemIds: readonly string[], opts: { onlyApiKey?: string } = {}): Promise<AnnotationView[][]> {
    // A labeling tool reads only what its own key wrote, never GOLD: other answers and gold stay hidden from it.
    const rows = opts.onlyApiKey
      ? await this.db.query<AnnotationRow>(
          `SELECT ${ANNOTATION_SELECT} FROM ${ANNOTATION_FROM} WHERE a.item_id = ANY($1::uuid[]) AND a.api_key_id = $2 AND a.kind <> 'GOLD'
           ORDER BY a.created_at, a.id`,
          [itemIds, opts.onlyApiKey],
        )
      : await this.db.query<AnnotationRow>(
          `SELECT ${ANNOTATION_SELECT} FROM ${ANNOTATION_FROM} WHERE a.item_id = ANY($1::uuid[]) ORDER BY a.created_at, a.id`,
          [itemIds],
        );
    const by = new Map<string, AnnotationView[]>(itemIds.map((id) => [id, []]));
    for (const r of rows) by.get(r.item_id)?.push(toAnnotationView(r));
    return itemIds.map((id) => by.get(id) ?? []);
  }
}

/**
 * Confidence is stored as float32 (`real`). PostgreSQL refuses a value that underflows to zero there ("out of range
 * for type real"), so a confidence below the smallest float32 is stored as the 0 it rounds to.
 */
function float32Confidence(c: number | null | undefined): number | null {
  if (c === undefined || c === null) return null;
  return Math.fround(c) === 0 ? 0 : c;
}

/** A re-send must carry the same content as the stored annotation; otherwise it is a CONFLICT. */
function assertSameContent(row: Row, stored: AnnotationRow, i: number): void {
  const diffs: string[] = [];
  if (stored.item_id !== row.itemId) diffs.push('item');
  if (stored.annotator_name !== row.annotatorName) diffs.push('annotator');
  if (stored.label !== row.label) diffs.push('label');
  if (stored.kind !== row.kind) diffs.push('kind');
  const storedConf = stored.confidence === null ? null : Number(stored.confidence);
  if ((row.confidence === null ? null : Math.fround(row.confidence)) !== (storedConf === null ? null : Math.fround(storedConf))) diffs.push('confidence');
  if ((row.durationMs ?? null) !== stored.duration_ms) diffs.push('durationMs');
  if (diffs.length) {
    throw conflict(
      `annotations[${i}].clientMutationId`,
      `"${row.clientMutationId}" was already used for a different annotation (differs in ${diffs.join(', ')})`,
    );
  }
}

/**
 * An item's current label: the latest REVIEW annotation decides outright (ties in time → lowest class index);
 * otherwise the majority of HUMAN and GOLD votes (ties → lowest class index), with the winner's vote share.
 *
 * This re-reads every annotation of the items and rebuilds their vote counts too: the general path, for writers
 * other than submitAnnotations (which adds its votes to the locked counts, see applyVotes) and as the reference
 * the tests hold applyVotes to.
 */
export async function recomputeCurrentLabels(sql: Sql, itemIds: string[]): Promise<void> {
  // One statement: the votes per (item, label), the latest REVIEW per item, the majority (ties → lowest index).
  await sql.query(
    `WITH u AS (
       SELECT DISTINCT id FROM unnest($1::uuid[]) AS u(id)
     ), v AS (
       SELECT item_id, label,
              count(*) FILTER (WHERE kind IN ('HUMAN', 'GOLD'))::int AS c,
              max(created_at) FILTER (WHERE kind = 'REVIEW') AS reviewed
       FROM annotation WHERE item_id = ANY($1::uuid[]) AND kind IN ('HUMAN', 'GOLD', 'REVIEW')
       GROUP BY item_id, label
     ), counts AS (
       SELECT u.id AS item_id, array_agg(COALESCE(v.c, 0) ORDER BY g.k) AS counts, COALESCE(sum(v.c), 0)::int AS n
       FROM u JOIN item it ON it.id = u.id JOIN project p ON p.id = it.project_id
         CROSS JOIN LATERAL generate_series(0, cardinality(p.classes) - 1) AS g(k)
         LEFT JOIN v ON v.item_id = u.id AND v.label = g.k
       GROUP BY u.id
     ), review AS (
       SELECT DISTINCT ON (item_id) item_id, label, reviewed FROM v WHERE reviewed IS NOT NULL ORDER BY item_id, reviewed DESC, label
     ), best AS (
       SELECT DISTINCT ON (item_id) item_id, label, c FROM v WHERE c > 0 ORDER BY item_id, c DESC, label
     )
     UPDATE item SET
       label_counts = t.counts,
       review_label = r.label,
       review_at = r.reviewed,
       current_label = COALESCE(r.label, b.label),
       label_share = CASE WHEN r.label IS NOT NULL THEN 1 WHEN b.label IS NOT NULL THEN b.c::real / t.n END,
       label_votes = t.n,
       label_source = CASE WHEN r.label IS NOT NULL THEN 'REVIEW' WHEN b.label IS NOT NULL THEN 'MAJORITY_VOTE' END,
       updated_at = now()
     FROM counts t
       LEFT JOIN review r ON r.item_id = t.item_id
       LEFT JOIN best b ON b.item_id = t.item_id
     WHERE item.id = t.item_id`,
    [itemIds],
  );
}

/**
 * submitAnnotations' fast path for current labels: the touched items are locked, so their stored counts and latest
 * review are current; the votes just inserted are added to them here and the items are written in one UPDATE,
 * without re-reading their annotations. Gives exactly what recomputeCurrentLabels gives (the tests compare both).
 * A REVIEW inserted now has created_at = now(); it replaces the stored review when now() is later, or at the same
 * instant when its class index is lower, the order recomputeCurrentLabels uses.
 */
async function applyVotes(
  sql: Sql,
  numClasses: number,
  locked: LockedItem[],
  votes: Array<Pick<Row, 'itemId' | 'label' | 'kind'>>,
): Promise<void> {
  type State = { counts: number[]; reviewLabel: number | null; reviewOrder: number; newReview: number | null };
  const byId = new Map(locked.map((r) => [r.id, r]));
  const states = new Map<string, State>();
  for (const v of votes) {
    let s = states.get(v.itemId);
    if (!s) {
      const r = byId.get(v.itemId)!;
      const counts = [...r.label_counts]; // both drivers give an int[] column as numbers
      while (counts.length < numClasses) counts.push(0);
      s = { counts, reviewLabel: r.review_label, reviewOrder: Number(r.review_order), newReview: null };
      states.set(v.itemId, s);
    }
    if (v.kind === 'REVIEW') s.newReview = s.newReview === null ? v.label : Math.min(s.newReview, v.label);
    else s.counts[v.label]++;
  }
  const n = states.size;
  const ids = new Array<string>(n);
  const counts = new Array<string>(n);
  const totals = new Array<number>(n);
  const reviewLabels = new Array<number | null>(n);
  const reviewNow = new Array<boolean>(n);
  const labels = new Array<number | null>(n);
  const winners = new Array<number | null>(n);
  const sources = new Array<string | null>(n);
  let j = 0;
  for (const [id, s] of states) {
    const replaces =
      s.newReview !== null && (s.reviewOrder > 0 || (s.reviewOrder === 0 && (s.reviewLabel === null || s.newReview < s.reviewLabel)));
    const review = replaces ? s.newReview : s.reviewLabel;
    let total = 0;
    let best = -1;
    for (let k = 0; k < s.counts.length; k++) {
      total += s.counts[k];
      if (s.counts[k] > 0 && (best < 0 || s.counts[k] > s.counts[best])) best = k;
    }
    ids[j] = id;
    counts[j] = numberArray(s.counts);
    totals[j] = total;
    reviewLabels[j] = review;
    reviewNow[j] = replaces;
    labels[j] = review ?? (best >= 0 ? best : null);
    winners[j] = best >= 0 ? s.counts[best] : null;
    sources[j] = review !== null ? 'REVIEW' : best >= 0 ? 'MAJORITY_VOTE' : null;
    j++;
  }
  await sql.query(
    `UPDATE item SET
       label_counts = u.counts::int[],
       label_votes = u.n,
       review_label = u.review_label,
       review_at = CASE WHEN u.review_now THEN now() ELSE item.review_at END,
       current_label = u.label,
       label_share = CASE WHEN u.source = 'REVIEW' THEN 1 WHEN u.source IS NOT NULL THEN u.c::real / u.n END,
       label_source = u.source,
       updated_at = now()
     FROM unnest($1::uuid[], $2::text[], $3::int[], $4::smallint[], $5::bool[], $6::smallint[], $7::int[], $8::text[])
       AS u(id, counts, n, review_label, review_now, label, c, source)
     WHERE item.id = u.id`,
    [uuidArray(ids), textArray(counts), numberArray(totals), numberArray(reviewLabels), boolArray(reviewNow), numberArray(labels), numberArray(winners), textArray(sources)],
  );
}
