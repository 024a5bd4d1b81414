import { createHash } from 'node:crypto';
import { Database, Sql } from '../db/database';
import { decodeFloat32 } from '../db/float32';
import { badInput, notFound } from '../errors';
import { Action, AuthService, Principal } from './auth.service';
import { isUuid } from './ids';
import { ProjectService } from './project.service';
import { latestModelVersion } from '../db/repositories/model-version.repository';
import { findLatestIssueStatuses } from '../db/repositories/label-issue.repository';
import { findVersionProbs } from '../db/repositories/prediction.repository';
import * as snapshots from '../db/repositories/snapshot.repository';
import type { SnapshotRow } from '../db/repositories/snapshot.repository';

const MAX_NOTE = 2000;
const INSERT_CHUNK = 5000;
/** Rows read per query while an export streams. */
const EXPORT_PAGE = 2000;
const MAX_DIFF_PAGE = 10_000;

export type QaStatus = 'REVIEWED' | 'CONSENSUS' | 'DISPUTED' | 'SINGLE_VOTE' | 'UNLABELED';

/**
 * Where an item's frozen label comes from. Every field is a string, an integer, null, or a list/object of those,
 * so the canonical serialisation survives a round trip through jsonb unchanged.
 */
export interface Lineage {
  /** The HUMAN, GOLD and REVIEW annotations behind the label, oldest first. */
  annotationIds: string[];
  /** Their annotators, distinct, sorted. */
  annotators: string[];
  /** The project's guideline version when the snapshot was taken. */
  guidelineVersion: string;
  /** The guideline versions those annotations were made under, distinct, sorted. */
  annotationGuidelineVersions: string[];
  /** REVIEWED (a REVIEW decided), CONSENSUS (≥ 2 votes, a strict majority agrees), DISPUTED, SINGLE_VOTE, UNLABELED. */
  qaStatus: QaStatus;
  /** HUMAN and GOLD votes, and how many of them agree with the majority. */
  votes: number;
  agreeing: number;
  /** The item's latest label issue (when label issues exist): its status and decision. */
  labelIssue: { status: string; decision: string | null } | null;
  /** The project's latest model version and what it predicted for the item (null: not predicted). */
  modelVersion: { id: string; name: string; predictedLabel: string | null } | null;
}

export interface SnapshotView {
  id: string;
  projectId: string;
  note: string | null;
  createdBy: string | null;
  createdAt: Date;
  contentHash: string;
  itemCount: number;
}

export interface SnapshotDiffItem {
  externalId: string;
  itemId: string;
  oldLabel: string | null;
  newLabel: string | null;
}

export interface SnapshotDiffView {
  a: SnapshotView;
  b: SnapshotView;
  addedCount: number;
  removedCount: number;
  changedCount: number;
  unchangedCount: number;
  added: SnapshotDiffItem[];
  removed: SnapshotDiffItem[];
  changed: SnapshotDiffItem[];
}

/** One item of a snapshot: its frozen label and lineage. */
export interface SnapshotItem {
  externalId: string;
  itemId: string;
  label: string | null;
  lineage: Lineage;
}

const toView = (r: SnapshotRow): SnapshotView => ({
  id: r.id,
  projectId: r.project_id,
  note: r.note,
  createdBy: r.created_by,
  createdAt: new Date(r.created_at),
  contentHash: r.content_hash,
  itemCount: r.item_count,
});

/** JSON with object keys sorted (recursively) and no whitespace: the canonical form that is hashed and exported. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(',')}}`;
}

/** One exported/hashed line: the canonical JSON of {externalId, itemId, label, lineage}. */
export function snapshotLine(r: { externalId: string; itemId: string; label: string | null; lineage: unknown }): string {
  return canonicalJson({ externalId: r.externalId, itemId: r.itemId, label: r.label, lineage: r.lineage });
}

/**
 * Dataset versions: a snapshot freezes every item's current label with its lineage and a SHA-256 content
 * hash; snapshots are listed, compared and read page by page for export (src/http/writers.ts writes JSONL and CSV).
 *
 * Content hash: the items in externalId order (JavaScript string order, UTF-16 code units), each serialised as
 * `snapshotLine` (canonical JSON: sorted keys, no whitespace) followed by "\n"; the hash is SHA-256 (hex) of that
 * text — which is exactly the JSONL export, so `sha256sum <id>.jsonl` reproduces it. Snapshot id, note, author and
 * time are not part of it: two snapshots of unchanged data have the same hash.
 */
export class SnapshotService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
  ) {}

  async createSnapshot(p: Principal, projectId: string, note: string | null | undefined): Promise<SnapshotView> {
    if (note !== undefined && note !== null && (typeof note !== 'string' || note.length > MAX_NOTE)) {
      throw badInput('note', `must be at most ${MAX_NOTE} characters`);
    }
    return this.db.transaction(async (sql) => {
      // One consistent view of items, annotations and predictions for the whole snapshot (PGlite: already alone).
      if (this.db.kind === 'postgres') await snapshots.setRepeatableRead(sql);
      const project = await this.projects.access(p, projectId, 'snapshots:create', sql);
      const items = await this.freeze(sql, project.id, project.classes, project.guidelineVersion);
      const hash = createHash('sha256');
      for (const it of items) hash.update(snapshotLine(it) + '\n', 'utf8');
      const contentHash = hash.digest('hex');
      const snap = await snapshots.insertSnapshot(sql, { projectId: project.id, note: note?.trim() || null, createdBy: p.keyId, contentHash, itemCount: items.length });
      for (let s = 0; s < items.length; s += INSERT_CHUNK) {
        const chunk = items.slice(s, s + INSERT_CHUNK);
        await snapshots.insertSnapshotItems(sql, snap.id, s, chunk.map((r) => ({ itemId: r.itemId, externalId: r.externalId, label: r.label, lineageJson: canonicalJson(r.lineage) })));
      }
      return toView(snap);
    });
  }

  /** Snapshots of a project, newest first. */
  async snapshots(p: Principal, projectId: string): Promise<SnapshotView[]> {
    const project = await this.projects.access(p, projectId, 'snapshots:read');
    const rows = await this.db.read((sql) => snapshots.findSnapshots(sql, project.id));
    return rows.map(toView);
  }

  /** A snapshot, checked as its project would be: out of scope or missing → NOT_FOUND, then the role. */
  async access(p: Principal, id: string, action: Action, field = 'id', sql?: Sql): Promise<SnapshotView> {
    let row: SnapshotRow | undefined;
    if (isUuid(id)) row = sql ? await snapshots.findSnapshot(sql, id) : await this.db.read((s) => snapshots.findSnapshot(s, id));
    if (!row || !AuthService.inScope(p, row.project_id)) throw notFound(`snapshot ${id}`, field);
    await this.projects.access(p, row.project_id, action, sql, field);
    return toView(row);
  }

  /** What changed from snapshot `a` to snapshot `b` (same project), by externalId; each list holds at most `first` rows. */
  async snapshotDiff(p: Principal, a: string, b: string, first = 1000): Promise<SnapshotDiffView> {
    if (!Number.isInteger(first) || first < 0 || first > MAX_DIFF_PAGE) throw badInput('first', `must be an integer in 0..${MAX_DIFF_PAGE}`);
    const sa = await this.access(p, a, 'snapshots:read', 'a');
    const sb = await this.access(p, b, 'snapshots:read', 'b');
    if (sa.projectId !== sb.projectId) throw badInput('b', `snapshot ${b} belongs to another project than snapshot ${a}`);
    const rows = await this.db.read((sql) => snapshots.diffSnapshotItems(sql, sa.id, sb.id));
    const added: SnapshotDiffItem[] = [];
    const removed: SnapshotDiffItem[] = [];
    const changed: SnapshotDiffItem[] = [];
    for (const r of rows) {
      if (r.a_item === null) added.push({ externalId: r.external_id, itemId: r.b_item!, oldLabel: null, newLabel: r.new_label });
      else if (r.b_item === null) removed.push({ externalId: r.external_id, itemId: r.a_item, oldLabel: r.old_label, newLabel: null });
      else if (r.a_item !== r.b_item) {
        // Same externalId, another item (deleted and imported again): the old one left, a new one came.
        removed.push({ externalId: r.external_id, itemId: r.a_item, oldLabel: r.old_label, newLabel: null });
        added.push({ externalId: r.external_id, itemId: r.b_item, oldLabel: null, newLabel: r.new_label });
      } else changed.push({ externalId: r.external_id, itemId: r.b_item, oldLabel: r.old_label, newLabel: r.new_label });
    }
    const order = (x: SnapshotDiffItem, y: SnapshotDiffItem) => (x.externalId < y.externalId ? -1 : x.externalId > y.externalId ? 1 : 0);
    for (const l of [added, removed, changed]) l.sort(order);
    return {
      a: sa,
      b: sb,
      addedCount: added.length,
      removedCount: removed.length,
      changedCount: changed.length,
      unchangedCount: sb.itemCount - added.length - changed.length,
      added: added.slice(0, first),
      removed: removed.slice(0, first),
      changed: changed.slice(0, first),
    };
  }

  /**
   * The items of a snapshot in externalId order, page by page (so memory stays flat while an export streams). The caller
   * has checked access with `access(p, id, 'snapshots:read')`.
   */
  async *exportPages(snapshotId: string): AsyncGenerator<SnapshotItem[]> {
    let after = -1;
    for (;;) {
      const rows = await this.db.read((sql) => snapshots.findSnapshotItemPage<Lineage>(sql, snapshotId, after, EXPORT_PAGE));
      if (!rows.length) return;
      yield rows.map((r) => ({ externalId: r.external_id, itemId: r.item_id, label: r.label, lineage: r.lineage }));
      after = rows[rows.length - 1].ord;
      if (rows.length < EXPORT_PAGE) return;
    }
  }

  /** Every item of the project with its current label and lineage, in externalId order. */
  private async freeze(
    sql: Sql,
    projectId: string,
    classes: string[],
    guidelineVersion: string,
  ): Promise<SnapshotItem[]> {
    const items = await snapshots.findItemLabels(sql, projectId);
    const anns = await snapshots.findCurrentLabelingAnnotations(sql, projectId);
    type Acc = { ids: string[]; annotators: Set<string>; versions: Set<string>; counts: Map<number, number>; votes: number; reviewed: boolean };
    const acc = new Map<string, Acc>();
    for (const a of anns) {
      let x = acc.get(a.item_id);
      if (!x) acc.set(a.item_id, (x = { ids: [], annotators: new Set(), versions: new Set(), counts: new Map(), votes: 0, reviewed: false }));
      x.ids.push(a.id);
      x.annotators.add(a.annotator);
      if (a.guideline_version !== null) x.versions.add(a.guideline_version);
      if (a.kind === 'REVIEW') x.reviewed = true;
      else {
        x.counts.set(a.label, (x.counts.get(a.label) ?? 0) + 1);
        x.votes++;
      }
    }
    const issues = new Map((await findLatestIssueStatuses(sql, projectId)).map((r) => [r.item_id, { status: r.status, decision: r.decision }]));
    const mv = await latestModelVersion(sql, projectId);
    const predicted = new Map<string, string>();
    if (mv) {
      const rows = await findVersionProbs(sql, mv.id);
      for (const r of rows) {
        const pr = decodeFloat32(r.probs)!;
        let best = 0;
        for (let j = 1; j < pr.length; j++) if (pr[j] > pr[best]) best = j;
        predicted.set(r.item_id, mv.classes[best]);
      }
    }
    const sorted = items.sort((x, y) => (x.external_id < y.external_id ? -1 : x.external_id > y.external_id ? 1 : 0));
    return sorted.map((it) => {
      const x = acc.get(it.id);
      let agreeing = 0;
      if (x) for (const c of x.counts.values()) agreeing = Math.max(agreeing, c);
      const votes = x?.votes ?? 0;
      const qaStatus: QaStatus = x?.reviewed
        ? 'REVIEWED'
        : votes === 0
          ? 'UNLABELED'
          : votes === 1
            ? 'SINGLE_VOTE'
            : agreeing >= 2 && agreeing * 2 > votes
              ? 'CONSENSUS'
              : 'DISPUTED';
      const lineage: Lineage = {
        annotationIds: x?.ids ?? [],
        annotators: x ? [...x.annotators].sort() : [],
        guidelineVersion,
        annotationGuidelineVersions: x ? [...x.versions].sort() : [],
        qaStatus,
        votes,
        agreeing,
        labelIssue: issues.get(it.id) ?? null,
        modelVersion: mv ? { id: mv.id, name: mv.name, predictedLabel: predicted.get(it.id) ?? null } : null,
      };
      const label = it.current_label === null ? null : (classes[it.current_label] ?? null);
      return { itemId: it.id, externalId: it.external_id, label, lineage };
    });
  }
}
