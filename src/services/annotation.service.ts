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
    if (!Array.isArray(input) || input.length === 0) throw badInput('annotations', 'must contain at least one annotation');
    if (input.length > MAX_BATCH) throw badInput('annotations', `at most ${MAX_BATCH} annotations per call, got ${input.length}`);
    return this.db.transaction(async (sql) => {
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
      const ids = new Set<string>();
      const exts = new Set<string>();
      for (let i = 0; i < n; i++) {
        const a = input[i];
        if (a.itemId !== undefined && a.itemId !== null) {
          if (!isUuid(a.itemId)) throw notFound(`item ${a.itemId}`, `annotations[${i}].itemId`);
          ids.add(a.itemId);
        } else exts.add(a.externalId!);
      }
      const found = await sql.query<{ id: string; external_id: string }>(
        `SELECT id, external_id FROM item WHERE project_id = $1 AND (id = ANY($2::uuid[]) OR external_id = ANY($3::text[]))
         ORDER BY id FOR UPDATE`,
        [project.id, [...ids], [...exts]],
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

      // 3. Every row is offered to the INSERT; ON CONFLICT skips a clientMutationId already stored (a re-send, or a
      //    concurrent call that committed first), and those rows are read back and compared below. One query fewer
      //    than a look-up first in the common case, where every row is new.
      const stored = new Map<string, AnnotationRow>();
      const fresh: number[] = [];
      for (let i = 0; i < n; i++) fresh.push(i);

      // Fresh rows get their ids here (time-ordered UUIDs), so results are built without reading the rows back.
      const newId = new Map<number, string>();
      const insertedAt = new Map<string, { id: string; createdAt: Date }>();
      let annotators = new Map<string, AnnotatorView>();
      if (fresh.length) {
        // 4. Annotators by name, created on first use (sorted: concurrent creators take locks in one order).
        annotators = await this.ensureAnnotators(sql, project.id, fresh.map((i) => rows[i]));
        for (const i of fresh) newId.set(i, uuidv7());
        // 5. Insert; a clientMutationId stored already (re-send, or a concurrent call) is skipped and read back.
        const ins = await sql.query<{ id: string; created_at: Date }>(
          `INSERT INTO annotation (id, project_id, item_id, annotator_id, label, kind, confidence, duration_ms, guideline_version, client_mutation_id, api_key_id)
           SELECT t.id, $1, t.item_id, t.annotator_id, t.label, t.kind, t.confidence, t.duration_ms, t.guideline_version, t.client_mutation_id, $11
           FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::smallint[], $6::text[], $7::real[], $8::int[], $9::text[], $10::text[])
             AS t(id, item_id, annotator_id, label, kind, confidence, duration_ms, guideline_version, client_mutation_id)
           ON CONFLICT (project_id, client_mutation_id) DO NOTHING
           RETURNING id, created_at`,
          [
            project.id,
            fresh.map((i) => newId.get(i)),
            fresh.map((i) => rows[i].itemId),
            fresh.map((i) => annotators.get(rows[i].annotatorName)!.id),
            fresh.map((i) => rows[i].label),
            fresh.map((i) => rows[i].kind),
            fresh.map((i) => rows[i].confidence),
            fresh.map((i) => rows[i].durationMs),
            fresh.map((i) => rows[i].guidelineVersion),
            fresh.map((i) => rows[i].clientMutationId),
            p.keyId,
          ],
        );
        for (const r of ins) insertedAt.set(r.id, { id: r.id, createdAt: new Date(r.created_at) });
        const raced = fresh.filter((i) => !insertedAt.has(newId.get(i)!));
        if (raced.length) {
          const late = await sql.query<AnnotationRow>(
            `SELECT ${ANNOTATION_SELECT} FROM ${ANNOTATION_FROM} WHERE a.project_id = $1 AND a.client_mutation_id = ANY($2::text[])`,
            [project.id, raced.map((i) => rows[i].clientMutationId)],
          );
          for (const r of late) {
            const i = cmidAt.get(r.client_mutation_id!)!;
            assertSameContent(rows[i], r, i);
            stored.set(r.client_mutation_id!, r);
          }
        }
        // 6. Current labels of the touched items.
        const touched = [...new Set(fresh.filter((i) => insertedAt.has(newId.get(i)!) && VOTING_KINDS.includes(rows[i].kind)).map((i) => rows[i].itemId))];
        if (touched.length) await recomputeCurrentLabels(sql, touched);
      }

      // An annotation ends its annotator's lease on the item (see SelectionService.nextBatch).
      await sql.query(
        `DELETE FROM lease l USING unnest($2::uuid[], $3::text[]) AS t(item_id, annotator)
         WHERE l.project_id = $1 AND l.item_id = t.item_id AND l.annotator = t.annotator`,
        [project.id, rows.map((r) => r.itemId), rows.map((r) => r.annotatorName)],
      );

      // 7. Results in input order.
      let inserted = 0;
      const results = rows.map((row, i) => {
        const mine = newId.has(i) ? insertedAt.get(newId.get(i)!) : undefined;
        if (mine) {
          inserted++;
          const annotation: AnnotationView = {
            id: mine.id,
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
            createdAt: mine.createdAt,
          };
          return { index: i, duplicate: false, annotation };
        }
        return { index: i, duplicate: true, annotation: toAnnotationView(stored.get(row.clientMutationId!)!) };
      });
      return { inserted, duplicates: n - inserted, results };
    });
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
 * An item's current label: the latest REVIEW annotation decides outright; otherwise the majority of HUMAN and GOLD
 * votes (ties → lowest class index), with the winner's vote share.
 */
export async function recomputeCurrentLabels(sql: Sql, itemIds: string[]): Promise<void> {
  // One statement: the votes per (item, label), the latest REVIEW per item, the majority (ties → lowest index).
  await sql.query(
    `WITH v AS (
       SELECT item_id, label,
              count(*) FILTER (WHERE kind IN ('HUMAN', 'GOLD'))::int AS c,
              max(created_at) FILTER (WHERE kind = 'REVIEW') AS reviewed
       FROM annotation WHERE item_id = ANY($1::uuid[]) AND kind IN ('HUMAN', 'GOLD', 'REVIEW')
       GROUP BY item_id, label
     ), total AS (
       SELECT item_id, sum(c)::int AS n FROM v GROUP BY item_id
     ), review AS (
       SELECT DISTINCT ON (item_id) item_id, label FROM v WHERE reviewed IS NOT NULL ORDER BY item_id, reviewed DESC, label
     ), best AS (
       SELECT DISTINCT ON (item_id) item_id, label, c FROM v WHERE c > 0 ORDER BY item_id, c DESC, label
     )
     UPDATE item SET
       current_label = COALESCE(r.label, b.label),
       label_share = CASE WHEN r.label IS NOT NULL THEN 1 WHEN b.label IS NOT NULL THEN b.c::real / t.n END,
       label_votes = COALESCE(t.n, 0),
       label_source = CASE WHEN r.label IS NOT NULL THEN 'REVIEW' WHEN b.label IS NOT NULL THEN 'MAJORITY_VOTE' END,
       updated_at = now()
     FROM unnest($1::uuid[]) AS u(id)
       LEFT JOIN total t ON t.item_id = u.id
       LEFT JOIN review r ON r.item_id = u.id
       LEFT JOIN best b ON b.item_id = u.id
     WHERE item.id = u.id`,
    [itemIds],
  );
}
