import type { Sql } from '../db/database';
import { decodeFloat32 } from '../db/float32';
import { latestModelVersion } from '../db/repositories/model-version.repository';
import { versionProbabilities } from '../db/repositories/prediction.repository';
import { embeddingHead, findEmbeddings, findEmbeddingsChangedSince } from '../db/repositories/item-embedding.repository';
/** Model versions whose predictions are kept in memory (versions are immutable, so entries never go stale). */
const PREDICTION_VERSIONS_KEPT = 3;

interface ProjectEmbeddings {
  dim: number;
  ids: string[];
  index: Map<string, number>;
  data: Float32Array;
  /** max(updated_at) of the rows read, as PostgreSQL text (compared in SQL, never parsed). */
  watermark: string;
}

export interface EmbeddingMatrix {
  ids: string[];
  index: Map<string, number>;
  /** rows × dim, row i = ids[i]. */
  X: Float32Array;
  dim: number;
}

/**
 * The project's item embeddings in memory, kept fresh incrementally: each call asks the database for the count and
 * the newest change, and reads only rows changed since the last call (plus a safety margin); a count that does not
 * add up (items deleted) triggers a full reload. nextBatch on 100,000 × 128 then reads kilobytes, not 50 MB.
 */
export class EmbeddingCache {
  private byProject = new Map<string, ProjectEmbeddings>();

  async get(sql: Sql, projectId: string, dim: number): Promise<EmbeddingMatrix> {
    const head = await embeddingHead(sql, projectId);
    let c = this.byProject.get(projectId);
    if (c && c.dim !== dim) c = undefined;
    if (c && head.n === c.ids.length && head.watermark === c.watermark) return this.view(c);
    if (c && head.watermark !== null) {
      const rows = await findEmbeddingsChangedSince(sql, projectId, c.watermark);
      const grown = c.ids.length + rows.filter((r) => !c!.index.has(r.id)).length;
      if (grown === head.n) {
        if (grown * dim > c.data.length) {
          const bigger = new Float32Array(Math.max(grown * dim, c.data.length * 2));
          bigger.set(c.data);
          c.data = bigger;
        }
        for (const r of rows) {
          let i = c.index.get(r.id);
          if (i === undefined) {
            i = c.ids.length;
            c.ids.push(r.id);
            c.index.set(r.id, i);
          }
          c.data.set(decodeFloat32(r.embedding)!, i * dim);
        }
        c.watermark = head.watermark;
        return this.view(c);
      }
    }
    // Cold, or rows disappeared: read everything.
    const rows = await findEmbeddings(sql, projectId);
    const data = new Float32Array(Math.max(rows.length, 1) * dim);
    const ids: string[] = new Array(rows.length);
    const index = new Map<string, number>();
    rows.forEach((r, i) => {
      ids[i] = r.id;
      index.set(r.id, i);
      data.set(decodeFloat32(r.embedding)!, i * dim);
    });
    c = { dim, ids, index, data, watermark: head.watermark ?? '' };
    this.byProject.set(projectId, c);
    return this.view(c);
  }

  private view(c: ProjectEmbeddings): EmbeddingMatrix {
    return { ids: c.ids.slice(), index: c.index, X: c.data.subarray(0, c.ids.length * c.dim), dim: c.dim };
  }
}

export interface VersionPredictions {
  modelVersionId: string;
  /** v1, v2, … */
  version: string;
  modelName: string;
  kind: 'BUILTIN' | 'EXTERNAL';
  /** The version's warning (a built-in version with one is not used for selection). */
  warning: string | null;
  classes: string[];
  /** item id → class probabilities over `classes`. */
  probs: Map<string, Float32Array>;
  /** item id → each committee member's probabilities (members × classes), where the model has a committee. */
  committee: Map<string, Float32Array>;
  /** Committee size (0 = no committee). */
  members: number;
}

/** Predictions of the latest model version of a project; a version's predictions are read from the database once. */
export class PredictionCache {
  private versions = new Map<string, VersionPredictions>();

  async latest(sql: Sql, projectId: string): Promise<VersionPredictions | null> {
    const v = await latestModelVersion(sql, projectId);
    if (!v) return null;
    let hit = this.versions.get(v.id);
    if (!hit) {
      const { probs, committee, members } = await versionProbabilities(sql, v, { committee: true });
      hit = { modelVersionId: v.id, version: v.version, modelName: v.name, kind: v.kind, warning: v.warning, classes: v.classes, probs, committee, members };
      this.versions.set(v.id, hit);
      while (this.versions.size > PREDICTION_VERSIONS_KEPT) this.versions.delete(this.versions.keys().next().value!);
    }
    return hit;
  }
}
