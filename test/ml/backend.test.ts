import * as tf from '@tensorflow/tfjs';
import { BACKEND_ORDER, currentBackend, initBackend } from '../../src/ml/backend';

function installed(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

describe('initBackend', () => {
  it('has no backend before the first call', () => {
    expect(currentBackend()).toBeNull();
  });

  it('auto picks the best available backend in the documented order (wasm here when tfjs-node is absent)', async () => {
    const logs: string[] = [];
    const name = await initBackend('auto', { log: (m) => logs.push(m) });
    const expected = installed('@tensorflow/tfjs-node-gpu') ? 'tensorflow-gpu' : installed('@tensorflow/tfjs-node') ? 'tensorflow' : 'wasm';
    expect(name).toBe(expected);
    expect(currentBackend()).toBe(expected);
    expect(tf.getBackend()).toBe(expected === 'tensorflow-gpu' ? 'tensorflow' : expected);
    // the choice is logged, and every skipped backend says why
    expect(logs[logs.length - 1]).toContain(`backend: ${expected}`);
    const skipped = BACKEND_ORDER.slice(0, BACKEND_ORDER.indexOf(expected));
    for (const s of skipped) expect(logs.some((l) => l.includes(`backend ${s} unavailable`))).toBe(true);
    // the backend really computes
    const sum = tf.tidy(() => tf.add(tf.tensor1d([1, 2]), tf.tensor1d([3, 4])).dataSync());
    expect(Array.from(sum)).toEqual([4, 6]);
  });

  it('is idempotent for auto and switches on an explicit preference', async () => {
    const first = currentBackend();
    const logs: string[] = [];
    await expect(initBackend('auto', { log: (m) => logs.push(m) })).resolves.toBe(first);
    expect(logs).toEqual([]); // nothing re-initialised
    await expect(initBackend('cpu', { log: () => undefined })).resolves.toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    await expect(initBackend('wasm', { log: () => undefined })).resolves.toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('falls back down the chain from an explicit preference that is not installed', async () => {
    if (installed('@tensorflow/tfjs-node')) return; // the fallback cannot be observed where the native backend exists
    const logs: string[] = [];
    await expect(initBackend('tensorflow', { log: (m) => logs.push(m) })).resolves.toBe('wasm');
    expect(logs[0]).toMatch(/backend tensorflow unavailable: .*Cannot find module '@tensorflow\/tfjs-node'/);
    expect(logs[1]).toContain('backend: wasm (fell back from tensorflow)');
  });

  it('rejects an unknown preference, naming the function and argument', async () => {
    await expect(initBackend('tpu' as never)).rejects.toThrow(/initBackend: preferred must be one of/);
  });
});
