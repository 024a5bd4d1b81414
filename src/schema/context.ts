import DataLoader from 'dataloader';
import type { Principal } from '../services/auth.service';
import type { AnnotationView } from '../services/annotation.service';
import type { Services } from '../services/services';

/** Per-request context: the caller (null when no valid key was sent), the services, per-request loaders. */
export interface Context {
  principal: Principal | null;
  services: Services;
  loaders: { annotationsByItem: DataLoader<string, AnnotationView[]> };
}

export function createContext(principal: Principal | null, services: Services): Context {
  return {
    principal,
    services,
    loaders: {
      annotationsByItem: new DataLoader(
        (ids: readonly string[]) =>
          services.annotations.forItems(ids, principal?.role === 'LABELING_TOOL' ? { onlyApiKey: principal.keyId } : {}),
        { maxBatchSize: 1000 },
      ),
    },
  };
}
