import { boolArray, joinedIdsArray, numberArray, textArray, uuidArray } from '../db/array-literal';
import { Database, Sql } from '../db/database';
import type { AnnotationKind } from '../db/entities/annotation.entity';
import type { AnnotatorKind } from '../db/entities/annotator.entity';
import { badInput, clip, conflict, forbidden, listed, notFound } from '../errors';
import { Action, AuthService, Principal } from './auth.service';
import { CURRENT, LABELING_KINDS_SQL, SLOT_SQL, VOTE_KINDS_SQL, slotOf } from '../db/annotation-sql';
import { isUuid, uuidv7 } from './ids';
import { MAX_BATCH } from './item.service';
import { ProjectService } from './project.service';

/** Kinds submitAnnotations accepts (a RETRACTION is written by {@link AnnotationService.retract}). */
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
  RETRACTION: 'HUMAN',
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
  /** Whether it is what its annotator says about the item now (see {@link slotOf}). */
  current: boolean;
  retracts: string | null;
  createdAt: Date;
}

export interface RetractResult {
  retracted: number;
  unchanged: number;
  retractions: AnnotationView[];
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
  /** Computed by ANNOTATION_SELECT (see db/annotation-sql.ts). */
  is_current: boolean;
  retracts: string | null;
  created_at: Date;
}

export const ANNOTATION_SELECT = `a.id, a.project_id, a.item_id, a.annotator_id, n.name AS annotator_name, n.kind AS annotator_kind,
  n.created_at AS annotator_created_at, a.label, p.classes[a.label + 1] AS label_name, a.kind, a.confidence, a.duration_ms,
  a.guideline_version, a.client_mutation_id, a.api_key_id, ${CURRENT('a')} AS is_current, a.retracts, a.created_at`;
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
    current: r.is_current,
    retracts: r.retracts,
    createdAt: new Date(r.created_at),
  };
}


/** An annotation that stopped being current because a later one filled its slot, or it was retracted. */
export interface Replaced {
  id: string;
  item_id: string;
  label: number;
  kind: AnnotationKind;
}

/**
 * Makes each written annotation the one current annotation of its slot: every other current annotation of the same
 * (item, annotator, slot) stops being current. `written` are the latest annotation of each slot this write touched;
 * returns the annotations that stopped counting. The items must be locked by the caller (FOR UPDATE), so that writes
 * to one item take turns and "latest" is the order they were written in.
 */
export async function replacePrevious(sql: Sql, written: Array<{ id: string; itemId: string; annotatorId: string; kind: AnnotationKind }>): Promise<Replaced[]> {
  if (written.length === 0) return [];
  // Per written annotation, index probes only: its item's annotations (annotation_item_idx), then the replaced ones
  // (annotation_replaced_pkey). OFFSET 0 keeps the planner from flattening the LATERAL into a join over the whole
  // table, which it does on a fresh table without statistics (hundreds of ms per batch, growing with the table).
  return sql.query<Replaced>(
    `WITH c AS (
       SELECT a.id, a.item_id, a.label, a.kind
       FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[]) AS w(id, item_id, annotator_id, slot)
         CROSS JOIN LATERAL (
           SELECT a.id, a.item_id, a.label, a.kind FROM annotation a
           WHERE a.item_id = w.item_id AND a.annotator_id = w.annotator_id AND a.id <> w.id AND ${SLOT_SQL('a')} = w.slot
             AND ${CURRENT('a')}
           OFFSET 0
         ) a
     ), ins AS (
       INSERT INTO annotation_replaced (id) SELECT id FROM c ON CONFLICT DO NOTHING RETURNING id
     )
     SELECT c.* FROM c JOIN ins ON ins.id = c.id`,
    [uuidArray(written.map((w) => w.id)), uuidArray(written.map((w) => w.itemId)), uuidArray(written.map((w) => w.annotatorId)), textArray(written.map((w) => slotOf(w.kind)))],
  );
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
  /** Whether the caller named the guideline version (a re-send that names none matches whatever was stored). */
  guidelineGiven: boolean;
  clientMutationId: string | null;
}

/** Kinds that vote for an item's current label; MODEL and WEAK are predictions, never labels. */
const VOTING_KINDS = ['HUMAN', 'GOLD', 'REVIEW'];

/** An item row locked by submit, with what its current label is derived from. */
interface LockedItem {
  id: string;
  external_id: string;
  /**
   * `label_counts|voters|vote_ids|vote_labels`, each ':'-joined: the vote counts, the annotators with a current vote
   * (HUMAN or GOLD, sorted) and their vote's annotation id and label. One text column is cheaper to read than four
   * arrays.
   */
  votes: string;
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
        if (kind === 'RETRACTION') throw badInput(`annotations[${i}].kind`, 'a RETRACTION is written by retractAnnotations, which names the annotation it withdraws');
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
          throw badInput(`annotations[${i}].label`, `"${clip(a.label)}" is not one of the project's classes (${listed(project.classes)})`);
        }
        if (a.confidence !== undefined && a.confidence !== null && !(a.confidence >= 0 && a.confidence <= 1)) {
          throw badInput(`annotations[${i}].confidence`, 'must be in [0, 1]');
        }
        if (a.durationMs !== undefined && a.durationMs !== null && !(Number.isInteger(a.durationMs) && a.durationMs >= 0)) {
          throw badInput(`annotations[${i}].durationMs`, 'must be a non-negative integer');
        }
        const gv = a.guidelineVersion;
        if (gv !== undefined && gv !== null && (gv.length === 0 || gv.length > MAX_NAME)) {
          throw badInput(`annotations[${i}].guidelineVersion`, `must have 1–${MAX_NAME} characters`);
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
          if (!isUuid(a.itemId)) throw notFound(`item ${clip(a.itemId)}`, `annotations[${i}].itemId`);
          byItemId.add(a.itemId);
        } else exts.add(a.externalId!);
      }
      // With the lock, each item's vote counts and latest review: the current label is updated from them below.
      // review_order: 1 when a REVIEW written now would be later than the stored one, 0 at the same instant, -1 earlier.
      const found = await sql.query<LockedItem>(
        `SELECT id, external_id, review_label,
                concat(array_to_string(label_counts, ':'), '|', array_to_string(voters, ':'), '|', array_to_string(vote_ids, ':'), '|', array_to_string(vote_labels, ':')) AS votes,
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
          if (!byId.has(a.itemId)) throw notFound(`item ${clip(a.itemId)}`, `annotations[${i}].itemId`);
          itemId = a.itemId;
        } else {
          itemId = byExt.get(a.externalId!);
          if (!itemId) throw notFound(`item with externalId "${clip(a.externalId)}"`, `annotations[${i}].externalId`);
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
          guidelineGiven: a.guidelineVersion !== undefined && a.guidelineVersion !== null,
          clientMutationId: a.clientMutationId ?? null,
        };
      }

      // 3. Annotators by name, created on first use (sorted: concurrent creators take locks in one order).
      const annotators = await this.ensureAnnotators(sql, project.id, rows, p, project.settings.sharedAnnotators === true);
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
           ON CONFLICT (project_id, api_key_id, client_mutation_id) DO NOTHING
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
           WHERE a.project_id = $1 AND a.api_key_id = $4 AND a.client_mutation_id = ANY($2::text[]) AND NOT a.id = ANY($3::uuid[])`,
          [project.id, textArray(withCmid), uuidArray(ids), p.keyId],
        );
        for (const r of late) {
          const i = cmidAt.get(r.client_mutation_id!)!;
          assertSameContent(rows[i], r, i);
          stored.set(i, r);
        }
        if (n - stored.size !== insertedCount) throw new Error(`submit: ${insertedCount} rows inserted, ${n - stored.size} expected`);
      }

      // 6. One annotation per slot is current: what this call inserted replaces what the annotators said before in
      //    the same slot, and within the call the last row of a slot wins. An item's current votes are kept on the
      //    locked item row (voters, vote_ids, vote_labels), so a vote that replaces an earlier one needs no lookup;
      //    REVIEW, MODEL and WEAK slots are looked up. Then the current labels, from the counts as they now stand.
      const lockedById = new Map(found.map((r) => [r.id, r]));
      const states = new Map<string, ItemState>();
      const stateOf = (itemId: string): ItemState => {
        let st = states.get(itemId);
        if (!st) states.set(itemId, (st = itemState(lockedById.get(itemId)!, project.classes.length)));
        return st;
      };
      const replacedIds: string[] = []; // votes that stop being current, found without a lookup
      const replacedInCall: string[] = []; // rows of other slots that a later row of this call replaces
      const winner = new Map<string, number>(); // other slots: slot key → last inserted row index
      for (let i = 0; i < n; i++) {
        if (stored.has(i)) continue;
        const r = rows[i];
        const slot = slotOf(r.kind);
        if (slot === 'VOTE') {
          // In input order, so a later row of the call replaces an earlier one like a stored vote.
          const annotatorId = annotators.get(r.annotatorName)!.id;
          const st = stateOf(r.itemId);
          const k = st.voters.indexOf(annotatorId);
          if (k >= 0) {
            replacedIds.push(st.voteIds[k]);
            st.counts[st.voteLabels[k]]--;
            st.voteIds[k] = ids[i];
            st.voteLabels[k] = r.label;
          } else {
            // Kept sorted by annotator id, the order recomputeCurrentLabels writes.
            let at = st.voters.length;
            while (at > 0 && st.voters[at - 1] > annotatorId) at--;
            st.voters.splice(at, 0, annotatorId);
            st.voteIds.splice(at, 0, ids[i]);
            st.voteLabels.splice(at, 0, r.label);
          }
          st.counts[r.label]++;
        } else {
          const key = `${r.itemId} ${r.annotatorName} ${slot}`;
          const prev = winner.get(key);
          if (prev !== undefined) replacedInCall.push(ids[prev]);
          winner.set(key, i);
        }
      }
      const lookup: Array<{ id: string; itemId: string; annotatorId: string; kind: AnnotationKind }> = [];
      const winners = new Set(winner.values());
      for (const i of winners) {
        const r = rows[i];
        if (r.kind === 'REVIEW') {
          const st = stateOf(r.itemId);
          st.newReview = st.newReview === null ? r.label : Math.min(st.newReview, r.label);
          // An earlier current REVIEW exists only where the item holds a review.
          if (lockedById.get(r.itemId)!.review_label === null) continue;
        }
        lookup.push({ id: ids[i], itemId: r.itemId, annotatorId: annotators.get(r.annotatorName)!.id, kind: r.kind });
      }
      const touched = [...states.values()];
      if (replacedInCall.length) await sql.query(`INSERT INTO annotation_replaced (id) SELECT unnest($1::uuid[])`, [uuidArray(replacedInCall)]);
      // A replaced REVIEW can change which review is the latest: those items are rebuilt from their annotations.
      const rebuild = new Set((await replacePrevious(sql, lookup)).filter((r) => r.kind === 'REVIEW').map((r) => r.item_id));
      for (const id of rebuild) states.delete(id);
      await writeItemStates(sql, states, replacedIds);
      if (rebuild.size) await recomputeCurrentLabels(sql, [...rebuild]);

      // 7. Results in input order, built only if the caller asks for them.
      const createdAtDate = new Date(createdAt);
      let votes: Set<string> | undefined;
      const currentVotes = (): Set<string> => (votes ??= new Set(touched.flatMap((st) => st.voteIds)));
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
            current: slotOf(row.kind) === 'VOTE' ? currentVotes().has(ids[i]) : winners.has(i),
            retracts: null,
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

  /**
   * The annotators of `rows` by name, created on first use and then owned by the caller's key. An annotator belongs
   * to the key that first wrote for it: another key writing under its name is FORBIDDEN, unless that key is an ADMIN
   * key or the project's settings.sharedAnnotators is true. An annotator with no owner yet (one registered without
   * writing, or whose key was revoked) is claimed by the first key that writes for it: a rotated key takes over the
   * annotators of the key it replaces.
   */
  private async ensureAnnotators(sql: Sql, projectId: string, rows: Row[], p: Principal, shared: boolean): Promise<Map<string, AnnotatorView>> {
    const wanted = new Map<string, AnnotatorKind>();
    const firstAt = new Map<string, number>();
    rows.forEach((r, i) => {
      if (!wanted.has(r.annotatorName)) {
        wanted.set(r.annotatorName, r.annotatorKind ?? DEFAULT_ANNOTATOR_KIND[r.kind]);
        firstAt.set(r.annotatorName, i);
      }
    });
    const names = [...wanted.keys()].sort();
    type A = { id: string; name: string; kind: AnnotatorKind; created_at: Date; api_key_id: string | null };
    const view = (r: A): AnnotatorView => ({ id: r.id, name: r.name, kind: r.kind, createdAt: new Date(r.created_at) });
    // An annotator whose key was revoked has no owner any more: the key that replaces it claims it by writing.
    const existing = await sql.query<A>(
      `SELECT n.id, n.name, n.kind, n.created_at, CASE WHEN k.revoked_at IS NULL THEN n.api_key_id END AS api_key_id
       FROM annotator n LEFT JOIN api_key k ON k.id = n.api_key_id WHERE n.project_id = $1 AND n.name = ANY($2::text[])`,
      [projectId, names],
    );
    const ids = new Map<string, AnnotatorView>();
    const unowned: string[] = [];
    for (const r of existing) {
      if (r.api_key_id === null) unowned.push(r.id);
      else if (r.api_key_id !== p.keyId && p.role !== 'ADMIN' && !shared) {
        throw forbidden(
          `annotator "${r.name}" belongs to another API key; a key writes only for the annotators it created (an ADMIN key, or settings.sharedAnnotators: true, lifts this)`,
          `annotations[${firstAt.get(r.name)}].annotator`,
        );
      }
      ids.set(r.name, view(r));
    }
    if (unowned.length) {
      // Claimed under the row lock: of two keys claiming at once, the second sees the first one's claim and is refused.
      const claimed = await sql.query<{ id: string }>(
        `UPDATE annotator n SET api_key_id = $2 WHERE n.id = ANY($1::uuid[])
           AND (n.api_key_id IS NULL OR n.api_key_id = $2 OR EXISTS (SELECT 1 FROM api_key k WHERE k.id = n.api_key_id AND k.revoked_at IS NOT NULL))
         RETURNING n.id`,
        [uuidArray(unowned), p.keyId],
      );
      if (claimed.length < unowned.length && p.role !== 'ADMIN' && !shared) {
        const got = new Set(claimed.map((r) => r.id));
        const lost = existing.find((r) => unowned.includes(r.id) && !got.has(r.id))!;
        throw forbidden(`annotator "${clip(lost.name)}" belongs to another API key`, `annotations[${firstAt.get(lost.name)}].annotator`);
      }
    }
    const missing = names.filter((nm) => !ids.has(nm));
    if (missing.length) {
      await sql.query(
        `INSERT INTO annotator (project_id, name, kind, api_key_id) SELECT $1, t.name, t.kind, $4 FROM unnest($2::text[], $3::text[]) AS t(name, kind)
         ON CONFLICT (project_id, name) DO NOTHING`,
        [projectId, missing, missing.map((nm) => wanted.get(nm)), p.keyId],
      );
      const again = await sql.query<A>(
        `SELECT id, name, kind, created_at, api_key_id FROM annotator WHERE project_id = $1 AND name = ANY($2::text[])`,
        [projectId, missing],
      );
      for (const r of again) {
        // Created by a concurrent call of another key that committed first: the same rule.
        if (r.api_key_id !== null && r.api_key_id !== p.keyId && p.role !== 'ADMIN' && !shared) {
          throw forbidden(`annotator "${clip(r.name)}" belongs to another API key`, `annotations[${firstAt.get(r.name)}].annotator`);
        }
        ids.set(r.name, view(r));
      }
    }
    return ids;
  }

  /**
   * Withdraws annotations, all or nothing: appends one RETRACTION per id (same item, annotator and label, `retracts`
   * = the id) and the withdrawn annotation stops being current, so its vote no longer counts; the annotator's earlier
   * annotations stay replaced. An id already retracted writes nothing and answers its stored RETRACTION. ADMIN and
   * QA_LEAD keys retract any annotation of the project, a LABELING_TOOL key only those its own key wrote.
   */
  async retract(p: Principal, projectId: string, ids: string[]): Promise<RetractResult> {
    return this.db.transaction((sql) => this.retractIn(sql, p, projectId, ids));
  }

  /** {@link retract} inside the caller's transaction. */
  async retractIn(sql: Sql, p: Principal, projectId: string, ids: string[]): Promise<RetractResult> {
    if (!Array.isArray(ids) || ids.length === 0) throw badInput('ids', 'must contain at least one annotation id');
    if (ids.length > MAX_BATCH) throw badInput('ids', `at most ${MAX_BATCH} ids per call, got ${ids.length}`);
    {
      const project = await this.projects.access(p, projectId, 'project:read', sql);
      if (!AuthService.can(p, 'annotations:submit:RETRACTION')) throw forbidden(`role ${p.role} may not retract annotations`, 'ids');
      const firstAt = new Map<string, number>();
      ids.forEach((id, i) => {
        if (!isUuid(id)) throw notFound(`annotation ${clip(id)}`, `ids[${i}]`);
        if (!firstAt.has(id)) firstAt.set(id, i);
      });
      const unique = [...firstAt.keys()];
      const targets = await sql.query<{ id: string; item_id: string; annotator_id: string; label: number; kind: AnnotationKind; api_key_id: string | null }>(
        `SELECT id, item_id, annotator_id, label, kind, api_key_id FROM annotation WHERE project_id = $1 AND id = ANY($2::uuid[])`,
        [project.id, uuidArray(unique)],
      );
      const byId = new Map(targets.map((t) => [t.id, t]));
      for (const [id, i] of firstAt) {
        const t = byId.get(id);
        if (!t) throw notFound(`annotation ${id}`, `ids[${i}]`);
        if (t.kind === 'RETRACTION') throw badInput(`ids[${i}]`, `annotation ${id} is a RETRACTION; a retraction cannot be withdrawn`);
        if (p.role === 'LABELING_TOOL' && t.api_key_id !== p.keyId) throw forbidden(`annotation ${id} was written by another API key`, `ids[${i}]`);
      }
      // Lock the items (id order), then see which ids are retracted already.
      const itemIds = [...new Set(targets.map((t) => t.item_id))].sort();
      await sql.query(`SELECT id FROM item WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [uuidArray(itemIds)]);
      const done = new Set(
        (await sql.query<{ retracts: string }>(`SELECT retracts FROM annotation WHERE retracts = ANY($1::uuid[])`, [uuidArray(unique)])).map((r) => r.retracts),
      );
      const todo = unique.filter((id) => !done.has(id));
      if (todo.length) {
        const newIds = todo.map(() => uuidv7());
        await sql.query(
          `INSERT INTO annotation (id, project_id, item_id, annotator_id, label, kind, guideline_version, api_key_id, retracts)
           SELECT t.new_id, a.project_id, a.item_id, a.annotator_id, a.label, 'RETRACTION', a.guideline_version, $3, a.id
           FROM unnest($1::uuid[], $2::uuid[]) AS t(new_id, old_id) JOIN annotation a ON a.id = t.old_id`,
          [uuidArray(newIds), uuidArray(todo), p.keyId],
        );
        const stopped = await sql.query<{ item_id: string; kind: AnnotationKind }>(
          `WITH ins AS (
             INSERT INTO annotation_replaced (id) SELECT id FROM annotation WHERE id = ANY($1::uuid[])
             ON CONFLICT DO NOTHING RETURNING id
           )
           SELECT a.item_id, a.kind FROM annotation a JOIN ins ON ins.id = a.id`,
          [uuidArray(todo)],
        );
        const voting = [...new Set(stopped.filter((r) => VOTING_KINDS.includes(r.kind)).map((r) => r.item_id))];
        if (voting.length) await recomputeCurrentLabels(sql, voting);
      }
      const rows = await sql.query<AnnotationRow>(`SELECT ${ANNOTATION_SELECT} FROM ${ANNOTATION_FROM} WHERE a.retracts = ANY($1::uuid[])`, [uuidArray(unique)]);
      const byTarget = new Map(rows.map((r) => [r.retracts!, toAnnotationView(r)]));
      return { retracted: todo.length, unchanged: ids.length - todo.length, retractions: ids.map((id) => byTarget.get(id)!) };
    }
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
  if (row.guidelineGiven && row.guidelineVersion !== stored.guideline_version) diffs.push('guidelineVersion');
  if (diffs.length) {
    throw conflict(
      `annotations[${i}].clientMutationId`,
      `"${row.clientMutationId}" was already used for a different annotation (differs in ${diffs.join(', ')})`,
    );
  }
}

/**
 * An item's current label, from its current annotations (each annotator's latest per slot, not retracted): the
 * latest REVIEW decides outright (ties in time → lowest class index); otherwise the majority of HUMAN and GOLD votes,
 * one per annotator (ties → lowest class index), with the winner's vote share.
 *
 * This re-reads every annotation of the items and rebuilds their vote counts too: the general path, for writers
 * other than submitAnnotations (which applies its votes to the locked item rows, see ItemState) and as the reference
 * the tests hold that fast path to.
 */
export async function recomputeCurrentLabels(sql: Sql, itemIds: string[]): Promise<void> {
  // One statement: the votes per (item, label), the latest REVIEW per item, the majority (ties → lowest index).
  await sql.query(
    `WITH u AS (
       SELECT DISTINCT id FROM unnest($1::uuid[]) AS u(id)
     ), v AS (
       SELECT item_id, label,
              count(*) FILTER (WHERE kind IN ${VOTE_KINDS_SQL})::int AS c,
              max(created_at) FILTER (WHERE kind = 'REVIEW') AS reviewed
       FROM annotation WHERE item_id = ANY($1::uuid[]) AND ${CURRENT('annotation')} AND kind IN ${LABELING_KINDS_SQL}
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
     ), vt AS (
       SELECT item_id, array_agg(annotator_id ORDER BY annotator_id) AS voters, array_agg(id ORDER BY annotator_id) AS vote_ids,
              array_agg(label ORDER BY annotator_id) AS vote_labels
       FROM annotation WHERE item_id = ANY($1::uuid[]) AND ${CURRENT('annotation')} AND kind IN ${VOTE_KINDS_SQL}
       GROUP BY item_id
     )
     UPDATE item SET
       label_counts = t.counts,
       voters = COALESCE(vt.voters, '{}'),
       vote_ids = COALESCE(vt.vote_ids, '{}'),
       vote_labels = COALESCE(vt.vote_labels, '{}'),
       review_label = r.label,
       review_at = r.reviewed,
       current_label = COALESCE(r.label, b.label),
       label_share = CASE WHEN r.label IS NOT NULL THEN 1 WHEN b.label IS NOT NULL THEN b.c::real / t.n END,
       label_votes = t.n,
       label_source = CASE WHEN r.label IS NOT NULL THEN 'REVIEW' WHEN b.label IS NOT NULL THEN 'MAJORITY_VOTE' END
     FROM counts t
       LEFT JOIN review r ON r.item_id = t.item_id
       LEFT JOIN best b ON b.item_id = t.item_id
       LEFT JOIN vt ON vt.item_id = t.item_id
     WHERE item.id = t.item_id`,
    [itemIds],
  );
}

/**
 * A locked item's vote counts, current votes and reviews as submit changes them: submitAnnotations' fast path for
 * current labels. The touched items are locked, so what they store is current; the votes just inserted are applied
 * to it and the items are written in one UPDATE (writeItemStates), without re-reading their annotations. Gives
 * exactly what recomputeCurrentLabels gives (the tests compare both). A REVIEW inserted now has created_at = now();
 * it replaces the stored review when now() is later, or at the same instant when its class index is lower, the
 * order recomputeCurrentLabels uses.
 */
interface ItemState {
  counts: number[];
  /** Annotator ids with a current vote, sorted (as stored); voteIds and voteLabels in the same order. */
  voters: string[];
  voteIds: string[];
  voteLabels: number[];
  reviewLabel: number | null;
  reviewOrder: number;
  /** The lowest class of a REVIEW this call writes (they share created_at = now()), or null. */
  newReview: number | null;
}

function itemState(r: LockedItem, numClasses: number): ItemState {
  const [c, voters, voteIds, voteLabels] = r.votes.split('|');
  const counts = c ? c.split(':').map(Number) : [];
  while (counts.length < numClasses) counts.push(0);
  return {
    counts,
    voters: voters ? voters.split(':') : [],
    voteIds: voteIds ? voteIds.split(':') : [],
    voteLabels: voteLabels ? voteLabels.split(':').map(Number) : [],
    reviewLabel: r.review_label,
    reviewOrder: Number(r.review_order),
    newReview: null,
  };
}

/**
 * Writes the items' counts, current votes (sorted by annotator id, as recomputeCurrentLabels writes them) and current
 * labels in one UPDATE, and records `replaced` (annotations that stopped being current) in the same statement. The
 * replaced ids are current annotations of locked items or rows this call inserted, so none is recorded already: a
 * plain INSERT, which fails loudly should that ever not hold.
 */
async function writeItemStates(sql: Sql, states: Map<string, ItemState>, replaced: string[]): Promise<void> {
  const n = states.size;
  if (n === 0) {
    if (replaced.length) await sql.query(`INSERT INTO annotation_replaced (id) SELECT unnest($1::uuid[])`, [uuidArray(replaced)]);
    return;
  }
  const ids = new Array<string>(n);
  const counts = new Array<string>(n);
  const voters = new Array<string>(n);
  const voteIds = new Array<string>(n);
  const voteLabels = new Array<string>(n);
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
    voters[j] = s.voters.join(':');
    voteIds[j] = s.voteIds.join(':');
    voteLabels[j] = s.voteLabels.join(':');
    totals[j] = total;
    reviewLabels[j] = review;
    reviewNow[j] = replaces;
    labels[j] = review ?? (best >= 0 ? best : null);
    winners[j] = best >= 0 ? s.counts[best] : null;
    sources[j] = review !== null ? 'REVIEW' : best >= 0 ? 'MAJORITY_VOTE' : null;
    j++;
  }
  await sql.query(
    `WITH r AS (INSERT INTO annotation_replaced (id) SELECT unnest($12::uuid[]))
     UPDATE item SET
       label_counts = u.counts::int[],
       voters = string_to_array(u.voters, ':')::uuid[],
       vote_ids = string_to_array(u.vote_ids, ':')::uuid[],
       vote_labels = string_to_array(u.vote_labels, ':')::smallint[],
       label_votes = u.n,
       review_label = u.review_label,
       review_at = CASE WHEN u.review_now THEN now() ELSE item.review_at END,
       current_label = u.label,
       label_share = CASE WHEN u.source = 'REVIEW' THEN 1 WHEN u.source IS NOT NULL THEN u.c::real / u.n END,
       label_source = u.source
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::smallint[], $8::bool[], $9::smallint[], $10::int[], $11::text[])
       AS u(id, counts, voters, vote_ids, vote_labels, n, review_label, review_now, label, c, source)
     WHERE item.id = u.id`,
    [
      uuidArray(ids),
      textArray(counts),
      joinedIdsArray(voters),
      joinedIdsArray(voteIds),
      joinedIdsArray(voteLabels),
      numberArray(totals),
      numberArray(reviewLabels),
      boolArray(reviewNow),
      numberArray(labels),
      numberArray(winners),
      textArray(sources),
      uuidArray(replaced),
    ],
  );
}
