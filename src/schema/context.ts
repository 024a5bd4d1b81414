import type { Principal } from '../services/auth.service';
import type { Services } from '../services/services';
import { createLoaders, Loaders } from './loaders';

/** Per-request context: the caller (null when no valid key was sent), the services, per-request loaders, the public base URL. */
export interface Context {
  principal: Principal | null;
  services: Services;
  loaders: Loaders;
  /** Where this server is reached from outside (LOUPE_PUBLIC_URL, else the request's origin), for the URLs it hands out. */
  publicBaseUrl: string;
}

export function createContext(principal: Principal | null, services: Services, publicBaseUrl = ''): Context {
  return { principal, services, loaders: createLoaders(principal, services), publicBaseUrl };
}
