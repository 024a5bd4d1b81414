import type { Principal } from '../services/auth.service';
import type { Services } from '../services/services';
import { createLoaders, Loaders } from './loaders';

/** Per-request context: the caller (null when no valid key was sent), the services, per-request loaders. */
export interface Context {
  principal: Principal | null;
  services: Services;
  loaders: Loaders;
}

export function createContext(principal: Principal | null, services: Services): Context {
  return { principal, services, loaders: createLoaders(principal, services) };
}
