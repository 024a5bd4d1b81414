import { Database, Sql } from '../db/database';
import { decodeFloat32 } from '../db/float32';
import { notFound } from '../errors';
import { Principal } from './auth.service';
import { ProjectService, ProjectView } from './project.service';
import { MethodReport } from '../quality/item-consensus';
import { probabilityAligner } from '../quality/label-table';
import { loadHuman, loadWeak } from './consensus-tables';
import type { ComputePool } from '../compute/pool';
import { latestModelVersion } from '../db/repositories/model-version.repository';
import {
  findConsensusSummary,
  findLatestLabelsOfKind,
  replaceAnnotatorQuality,
  replaceItemConsensus,
  upsertConsensusSummary,
} from '../db/repositories/consensus.repository';
import { findPredictionProbs } from '../db/repositories/prediction.repository';
import { findProjectClasses } from '../db/repositories/project.repository';

export type { ConsensusMethodName, ConsensusOutcome, LabelTable, MethodReport } from '../quality/item-consensus';

// ---- Loading ---------------------------------------------------------------------------------------------------

/** The latest model version's probabilities for `itemIds`, over the project's classes (renormalised), or null. */
async function loadPredictions(sql: Sql, project: ProjectView, itemIds: string[]): Promise<{ modelVersionId: string; probs: Map<string, Float64Array> } | null> {
  const v = await latestModelVersion(sql, project.id);
  if (!v || itemIds.length === 0) return null;
  const rows = await findPredictionProbs(sql, v.id, itemIds);
  const align = probabilityAligner(v.classes, project.classes);
  const probs = new Map<string, Float64Array>();
  for (const r of rows) {
    const out = align(decodeFloat32(r.probs)!);
    if (out) probs.set(r.item_id, out);
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

/** The consensus job and the summary of its last run. */
export class ConsensusService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
    private readonly compute: ComputePool,
  ) {}

  // ---- The job ------------------------------------------------------------------------------------------------

  /**
   * The consensus job: reads every annotation and weak vote of the project, computes the consensus (see
   * {@link computeConsensus}) and replaces item_consensus, annotator_quality and consensus_summary in ONE
   * transaction, so a run killed mid-way leaves the previous results in place.
   */
  async run(projectId: string, opts: { runId?: string | null; progress?: (f: number, step?: string) => Promise<void>; signal?: AbortSignal } = {}): Promise<Record<string, number>> {
    const progress = opts.progress ?? (async () => undefined);
    const row = await findProjectClasses(this.db, projectId);
    if (!row) throw notFound(`project ${projectId}`, 'projectId');
    const project = { id: row.id, classes: row.classes } as ProjectView;
    await progress(0.05, 'load');
    const { human, weak, gold, review } = await this.db.read(async (sql) => ({
      human: await loadHuman(sql, project.id),
      weak: (await loadWeak(sql, project.id)).table,
      gold: await findLatestLabelsOfKind(sql, project.id, 'GOLD'),
      review: await findLatestLabelsOfKind(sql, project.id, 'REVIEW'),
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
      const it = out.items;
      await replaceItemConsensus(
        sql,
        project.id,
        runId,
        it.map((x) => ({ ...x, confidence: x.confidence === null ? null : Math.min(1, Math.max(0, x.confidence)) })),
      );
      await replaceAnnotatorQuality(sql, project.id, runId, out.annotators);
      const byMethod: Record<string, number> = {};
      for (const x of it) byMethod[x.method] = (byMethod[x.method] ?? 0) + 1;
      await upsertConsensusSummary(sql, project.id, {
        runId,
        method: out.method,
        weakMethod: out.weakMethod,
        goldItems: out.goldItems,
        methods: out.methods,
        counts: byMethod,
      });
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
    const s = await findConsensusSummary<MethodReport>(this.db, project.id);
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
}
