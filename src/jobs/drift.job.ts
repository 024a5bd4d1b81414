import type { Job } from './job';

/**
 * Compares the current window with the reference window (DriftService.computeDrift: embeddings by MMD, predicted
 * classes, labels, each annotator's label mix) and writes the run's reports in ONE transaction; driftReports shows the
 * latest run's set, so a run killed mid-way leaves the previous set in place. No schedule of its own: it runs in the pipeline.
 */
export const driftJob: Job = {
  name: 'drift',
  schedule: null,
  run: async (ctx) => {
    const rows = await ctx.services.drift.computeDrift(ctx.projectId, (f, step) => ctx.progress(f, step), ctx.signal);
    ctx.signal.throwIfAborted();
    await ctx.services.drift.writeReports(ctx.projectId, ctx.runId, rows);
    return {
      reports: rows.length,
      ok: rows.filter((r) => r.verdict === 'OK').length,
      warn: rows.filter((r) => r.verdict === 'WARN').length,
      drift: rows.filter((r) => r.verdict === 'DRIFT').length,
    };
  },
};
