/**
 * TensorFlow.js backend selection for the model in the loop.
 *
 * Order, best first: `@tensorflow/tfjs-node-gpu` (CUDA) → `@tensorflow/tfjs-node` (libtensorflow, all cores)
 * → `@tensorflow/tfjs-backend-wasm` (XNNPACK, SIMD, single-threaded in Node) → `cpu` (plain JS kernels).
 * The two native packages are optional dependencies: their install downloads libtensorflow and fails offline,
 * so they are loaded with a guarded `require` and simply skipped when absent. The wasm backend ships its
 * `.wasm` binaries inside the package and needs no `setWasmPaths` in Node.
 */
import * as tf from '@tensorflow/tfjs';

/** A backend Loupe can run on, named by what it is ('tensorflow' is tfjs-node, 'tensorflow-gpu' tfjs-node-gpu). */
export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

/** What configuration may ask for: a backend, or 'auto' for the best one available. */
export type BackendPreference = BackendName | 'auto';

/** Chain of backends tried in order; a preference starts the chain at that backend. */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export interface InitBackendOptions {
  /** Where the choice (and each fallback reason) is reported. Default `console.info`. */
  log?: (message: string) => void;
}

let current: BackendName | null = null;
let pending: Promise<BackendName> | null = null;

/**
 * Loads a module by name only if it is installed. The name goes through a variable so that TypeScript does not
 * resolve it at compile time (the optional packages are usually absent) and jest's module registry still sees it.
 */
function optionalRequire(name: string): unknown {
  const req: NodeJS.Require = require;
  return req(name);
}

async function tryBackend(name: BackendName): Promise<void> {
  switch (name) {
    case 'tensorflow-gpu':
      optionalRequire('@tensorflow/tfjs-node-gpu'); // registers the 'tensorflow' backend (CUDA build)
      break;
    case 'tensorflow':
      optionalRequire('@tensorflow/tfjs-node'); // registers the 'tensorflow' backend (CPU build)
      break;
    case 'wasm':
      optionalRequire('@tensorflow/tfjs-backend-wasm'); // registers 'wasm'; binaries are read from the package
      break;
    case 'cpu':
      break; // bundled with @tensorflow/tfjs
  }
  const tfName = name === 'tensorflow-gpu' ? 'tensorflow' : name;
  const ok = await tf.setBackend(tfName);
  if (!ok) throw new Error(`tf.setBackend('${tfName}') returned false`);
  await tf.ready();
}

/**
 * Chooses and initialises the TensorFlow.js backend, trying {@link BACKEND_ORDER} from `preferred` onwards
 * ('auto' = from the top). A backend that cannot load (package absent, no GPU, wasm init failure) is skipped
 * with a logged reason; the one in use is logged and returned. `cpu` always works, so this never throws for
 * an absent backend. Idempotent: a second call with the same preference returns the same backend; a call with a
 * different explicit preference switches to it.
 */
export async function initBackend(preferred: BackendPreference = 'auto', opts: InitBackendOptions = {}): Promise<BackendName> {
  const log = opts.log ?? ((m: string) => console.info(m));
  if (!(preferred === 'auto' || (BACKEND_ORDER as readonly string[]).includes(preferred))) {
    throw new Error(`initBackend: preferred must be one of auto, ${BACKEND_ORDER.join(', ')}; got ${String(preferred)}`);
  }
  if (pending) await pending.catch(() => undefined);
  if (current !== null && (preferred === 'auto' || preferred === current)) return current;
  const start = preferred === 'auto' ? 0 : BACKEND_ORDER.indexOf(preferred);
  pending = (async () => {
    for (let i = start; i < BACKEND_ORDER.length; i++) {
      const name = BACKEND_ORDER[i];
      try {
        await tryBackend(name);
        current = name;
        log(`[ml] TensorFlow.js backend: ${name}${i > start ? ` (fell back from ${BACKEND_ORDER[start]})` : ''}`);
        return name;
      } catch (e) {
        const reason = e instanceof Error ? e.message.split('\n')[0] : String(e);
        log(`[ml] backend ${name} unavailable: ${reason}`);
      }
    }
    throw new Error('initBackend: no TensorFlow.js backend could be initialised (not even cpu)');
  })();
  try {
    return await pending;
  } finally {
    pending = null;
  }
}

/** The backend chosen by {@link initBackend}, or null before the first call. */
export function currentBackend(): BackendName | null {
  return current;
}

/** Initialises the default backend ('auto') if no backend was chosen yet; used by training entry points. */
export async function ensureBackend(): Promise<BackendName> {
  return current ?? initBackend('auto');
}
