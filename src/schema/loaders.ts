import DataLoader from 'dataloader';
import type { AnnotationView } from '../services/annotation.service';
import type { Principal } from '../services/auth.service';
import type { PredictionView } from '../services/model.service';
import type { ItemRouteView } from '../services/routing.service';
import type { Services } from '../services/services';

/** Most keys one batched read asks for. */
const MAX_BATCH = 1000;

/** The per-request batching loaders of fields below items (one read per field and batch, not one per item). */
export interface Loaders {
  annotationsByItem: DataLoader<string, AnnotationView[]>;
  predictionByItem: DataLoader<string, PredictionView | null>;
  routeByItem: DataLoader<string, ItemRouteView | null>;
}

/**
 * Every loader of a request, for its caller. A labeling tool sees only its own key's annotations. The prediction and
 * route loaders run under nested fields, whose root has checked that there is a caller.
 */
export function createLoaders(principal: Principal | null, services: Services): Loaders {
  return {
    annotationsByItem: new DataLoader(
      (ids: readonly string[]) => services.annotations.forItems(ids, principal?.role === 'LABELING_TOOL' ? { onlyApiKey: principal.keyId } : {}),
      { maxBatchSize: MAX_BATCH },
    ),
    predictionByItem: new DataLoader((ids: readonly string[]) => services.models.forItems(principal!, ids), { maxBatchSize: MAX_BATCH }),
    routeByItem: new DataLoader((ids: readonly string[]) => services.routing.forItems(principal!, ids), { maxBatchSize: MAX_BATCH }),
  };
}
