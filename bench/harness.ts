/**
 * Tiny benchmark harness. Each bench file is a standalone script (`node dist/bench/<name>.bench.js`) that
 * calls {@link bench} for each case. Peak memory is the growth of the process's max RSS
 * (`process.resourceUsage().maxRSS`) across the first run of the case — run one heavy case per process
 * (bench/run.ts does) so that the peak belongs to that case alone.
 */
export interface BenchResult {
  name: string;
  medianMs: number;
  minMs: number;
  runs: number;
  peakExtraMB: number;
  target?: string;
  note?: string;
}

export function bench(name: string, fn: () => unknown, opts: { runs?: number; target?: string; note?: () => string } = {}): BenchResult {
  const runs = opts.runs ?? 5;
  const rss0 = process.resourceUsage().maxRSS; // kilobytes
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const peakExtraMB = (process.resourceUsage().maxRSS - rss0) / 1024;
  times.sort((a, b) => a - b);
  const res: BenchResult = {
    name,
    medianMs: times[Math.floor(times.length / 2)],
    minMs: times[0],
    runs,
    peakExtraMB,
    target: opts.target,
    note: opts.note?.(),
  };
  report(res);
  return res;
}

export function report(r: BenchResult): void {
  const line = `| ${r.name} | ${r.medianMs.toFixed(1)} ms (min ${r.minMs.toFixed(1)}, ${r.runs} runs) | +${r.peakExtraMB.toFixed(0)} MB peak RSS | ${r.target ?? ''} | ${r.note ?? ''} |`;
  console.log(line);
}

/** Megabytes of a typed array, for "extra memory ≤ 2× the input" comparisons. */
export function sizeMB(a: { byteLength: number }): number {
  return a.byteLength / (1024 * 1024);
}
