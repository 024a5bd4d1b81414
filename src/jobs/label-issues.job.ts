import type { Job } from './job';

/**
 * Detects label issues: confident learning on the latest model version's out-of-sample predictions for labeled
 * items (see LabelIssueService.detect for the rules), written in one transaction so a killed run leaves the
 * previous issue set in place. No schedule of its own: it runs in the pipeline after `train`, or on demand.
 */
export const labelIssuesJob: Job = {
  name: 'labelIssues',
  schedule: null,
  run: (ctx) =>
    ctx.services.labelIssues.detect(ctx.projectId, {
      runId: ctx.runId,
      signal: ctx.signal,
      progress: (fraction, step) => ctx.progress(fraction, step),
    }),
};
