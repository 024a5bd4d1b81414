import { effectiveSettings } from './settings';
import { MAX_NAME } from './names';
import { Database, Sql } from '../db/database';
import type { AnnotationKind } from '../db/types';
import type { AnnotatorKind } from '../db/types';
import { slotOf } from '../db/annotation-sql';
import {
  AnnotationRow,
  findAnnotationsOfItems,
  findByClientMutationIds,
  insertAnnotations,
  insertReplaced,
  lockItemsForVotes,
  recomputeCurrentLabels,
  replacePrevious,
  updateItemVotes,
} from '../db/repositories/annotation.repository';
import { badInput, clip, conflict, forbidden, listed, notFound } from '../errors';
import { toAnnotationView, type AnnotationView } from './annotation-view';
import { ensureAnnotators } from './annotator-ownership';
import { Action, AuthService, Principal } from './auth.service';
import { uuidv7 } from './ids';
import { splitItemRefs } from './item-refs';
import { MAX_BATCH } from './item.service';
import { ProjectService } from './project.service';
import { RetractionService, type RetractResult } from './retraction.service';
import { ItemState, applyVote, itemState, itemVoteColumns } from './vote-state';
import { enqueueEvent } from './webhook-outbox';

export type { AnnotationRow, Replaced } from '../db/repositories/annotation.repository';
export { recomputeCurrentLabels, replacePrevious } from '../db/repositories/annotation.repository';
export { toAnnotationView, type AnnotationView, type AnnotatorView } from './annotation-view';
export type { RetractResult } from './retraction.service';

/** Kinds submitAnnotations accepts (a RETRACTION is written by {@link RetractionService.retract}). */
export const ANNOTATION_KINDS: readonly AnnotationKind[] = ['HUMAN', 'MODEL', 'WEAK', 'GOLD', 'REVIEW'];
export const ANNOTATOR_KINDS: readonly AnnotatorKind[] = ['HUMAN', 'TOOL', 'MODEL', 'LABELING_FUNCTION'];
const MAX_CLIENT_MUTATION_ID = MAX_NAME;

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

export interface SubmitResult {
  inserted: number;
  duplicates: number;
  results: Array<{ index: number; duplicate: boolean; annotation: AnnotationView }>;
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

export class AnnotationService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
    private readonly retractions: RetractionService = new RetractionService(db, projects),
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
      const refs = splitItemRefs(input, 'annotations');
      // With the lock, each item's vote counts and latest review: the current label is updated from them below.
      const found = await lockItemsForVotes(sql, project.id, refs.ids, refs.externalIds);
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
      const annotators = await ensureAnnotators(sql, project.id, rows, p, effectiveSettings(project.settings).sharedAnnotators);
      const annotatorList = [...annotators.values()];
      const annotatorIndex = new Map(annotatorList.map((a, k) => [a.name, k + 1])); // 1-based, as SQL arrays

      // 4. One statement inserts every row and ends the leases: an annotation ends its annotator's lease on the item
      //    (see SelectionService.nextBatch), re-sends included. Ids are made here (time-ordered UUIDs), so nothing is
      //    read back in the common case where every row is new: the statement answers with a count and the time.
      //    ON CONFLICT skips a clientMutationId already stored (a re-send, or a concurrent call that committed first).
      const ids = new Array<string>(n);
      for (let i = 0; i < n; i++) ids[i] = uuidv7();
      const { inserted: insertedCount, created_at: createdAt } = await insertAnnotations(
        sql,
        project.id,
        {
          ids,
          itemIds: rows.map((r) => r.itemId),
          annotator: rows.map((r) => annotatorIndex.get(r.annotatorName)!),
          labels: rows.map((r) => r.label),
          kinds: rows.map((r) => r.kind),
          confidences: rows.map((r) => r.confidence),
          durationsMs: rows.map((r) => r.durationMs),
          guidelineVersions: rows.map((r) => r.guidelineVersion),
          clientMutationIds: rows.map((r) => r.clientMutationId),
          annotatorIds: annotatorList.map((a) => a.id),
          annotatorNames: annotatorList.map((a) => a.name),
        },
        p.keyId,
      );

      // 5. Rows skipped by ON CONFLICT: read back by clientMutationId (a stored row with another id is not ours) and
      //    compared; the same id with different content is a CONFLICT. Rows this call inserted are left out.
      const stored = new Map<number, AnnotationRow>();
      if (insertedCount < n) {
        const withCmid = rows.filter((r) => r.clientMutationId !== null).map((r) => r.clientMutationId!);
        const late = await findByClientMutationIds(sql, project.id, p.keyId, withCmid, ids);
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
          const before = applyVote(stateOf(r.itemId), annotators.get(r.annotatorName)!.id, ids[i], r.label);
          if (before !== null) replacedIds.push(before);
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
      if (replacedInCall.length) await insertReplaced(sql, replacedInCall);
      // A replaced REVIEW can change which review is the latest: those items are rebuilt from their annotations.
      const rebuild = new Set((await replacePrevious(sql, lookup)).filter((r) => r.kind === 'REVIEW').map((r) => r.item_id));
      for (const id of rebuild) states.delete(id);
      // The replaced votes are current annotations of locked items or rows this call inserted, so none is recorded
      // already (a plain INSERT, which fails loudly should that ever not hold).
      if (states.size) await updateItemVotes(sql, itemVoteColumns(states), replacedIds);
      else if (replacedIds.length) await insertReplaced(sql, replacedIds);
      if (rebuild.size) await recomputeCurrentLabels(sql, [...rebuild]);

      // 7. One annotation.created event for the rows this call inserted, written to the webhook outbox in this
      //    transaction (its body is built only when a webhook subscribes).
      const createdAtDate = new Date(createdAt);
      if (insertedCount > 0) {
        await enqueueEvent(sql, project.id, 'annotation.created', () => ({
          annotations: rows.flatMap((r, i) =>
            stored.has(i)
              ? []
              : [{ id: ids[i], itemId: r.itemId, annotator: r.annotatorName, label: project.classes[r.label], kind: r.kind, confidence: r.confidence, clientMutationId: r.clientMutationId, createdAt: createdAtDate.toISOString() }],
          ),
        }));
      }

      // 8. Results in input order, built only if the caller asks for them.
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

  /** {@link RetractionService.retractIn}, for services that submit and retract in one transaction. */
  async retractIn(sql: Sql, p: Principal, projectId: string, ids: string[]): Promise<RetractResult> {
    return this.retractions.retractIn(sql, p, projectId, ids);
  }

  /** Annotations of many items at once (for item.annotations), oldest first. */
  async forItems(itemIds: readonly string[], opts: { onlyApiKey?: string } = {}): Promise<AnnotationView[][]> {
    // A labeling tool reads only what its own key wrote, never GOLD: other answers and gold stay hidden from it.
    const rows = await findAnnotationsOfItems(this.db, itemIds, opts.onlyApiKey);
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

