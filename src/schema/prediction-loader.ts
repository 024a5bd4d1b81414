import DataLoader from 'dataloader';
import type { PredictionView } from '../services/model.service';
import type { Context } from './context';

const loaders = new WeakMap<Context, DataLoader<string, PredictionView | null>>();

/** One batching loader per request for item.prediction (kept beside the context, keyed by it). */
export function predictionLoader(ctx: Context): DataLoader<string, PredictionView | null> {
  let l = loaders.get(ctx);
  if (!l) {
    l = new DataLoader((ids: readonly string[]) => ctx.services.models.forItems(ctx.principal!, ids), { maxBatchSize: 1000 });
    loaders.set(ctx, l);
  }
  return l;
}
