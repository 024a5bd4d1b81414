import { Database } from '../db/database';
import { decodeFloat32 } from '../db/float32';
import { findItemsByRef } from '../db/repositories/item.repository';
import { latestModelVersion, listModelVersions } from '../db/repositories/model-version.repository';
import { findPredictionProbs } from '../db/repositories/prediction.repository';
import { badInput } from '../errors';
import type { Principal } from './auth.service';
import { ItemData, ItemService, MAX_BATCH } from './item.service';
import { ProjectService } from './project.service';

/** The latest model's answer for one item: its most probable class and that probability. */
export interface TopPrediction {
  label: string;
  score: number;
}

export interface TaskPredictions {
  /** The latest model version's name; null when the project has none. */
  modelVersion: string | null;
  /** One per task, in order; null where the latest version did not predict the item (or there is none). */
  predictions: (TopPrediction | null)[];
}

/** The most probable class of a probability row (the first on ties) and its probability. */
export function topClass(probs: Float32Array, classes: readonly string[]): TopPrediction {
  let k = 0;
  for (let j = 1; j < probs.length; j++) if (probs[j] > probs[k]) k = j;
  return { label: classes[k], score: probs[k] };
}

/** What a labeling tool that asks for pre-labels gets: its tasks imported when new, the latest model's top class for each. */
export class LabelStudioPredictionService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
    private readonly items: ItemService,
  ) {}

  /**
   * Imports the tasks Loupe has not seen (by externalId; the ones it has are left as they are), then answers the
   * latest model version's top class for each, in order.
   */
  async predict(p: Principal, projectId: string, tasks: readonly ItemData[]): Promise<TaskPredictions> {
    if (tasks.length > MAX_BATCH) throw badInput('tasks', `at most ${MAX_BATCH} tasks per call, got ${tasks.length}`);
    await this.projects.access(p, projectId, 'model:read');
    const externalIds = [...new Set(tasks.map((t) => t.externalId))];
    const idOf = new Map<string, string>();
    if (externalIds.length > 0) for (const r of await findItemsByRef(this.db, projectId, [], externalIds)) idOf.set(r.external_id, r.id);
    const missing = new Map<string, ItemData>();
    for (const t of tasks) if (!idOf.has(t.externalId) && !missing.has(t.externalId)) missing.set(t.externalId, t);
    if (missing.size > 0) {
      const news = [...missing.values()];
      const { ids } = await this.items.importItems(p, projectId, news);
      news.forEach((t, i) => idOf.set(t.externalId, ids[i]));
    }
    const version = await latestModelVersion(this.db, projectId);
    if (!version) return { modelVersion: null, predictions: tasks.map(() => null) };
    const itemIds = [...new Set(tasks.map((t) => idOf.get(t.externalId)!))];
    const probs = new Map<string, Float32Array>();
    for (const r of await findPredictionProbs(this.db, version.id, itemIds)) probs.set(r.item_id, decodeFloat32(r.probs)!);
    return {
      modelVersion: version.version,
      predictions: tasks.map((t) => {
        const row = probs.get(idOf.get(t.externalId)!);
        return row ? topClass(row, version.classes) : null;
      }),
    };
  }

  /** The project's model version names, newest first. */
  async versions(p: Principal, projectId: string): Promise<string[]> {
    await this.projects.access(p, projectId, 'model:read');
    return (await listModelVersions(this.db, projectId)).map((v) => v.version);
  }
}
