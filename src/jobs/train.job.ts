import type { Job } from './job';

/**
 * Trains the project's built-in model with K-fold cross-validation: out-of-sample probabilities for the labeled
 * items and the fold models' mean for the pool, stored as a new model version in one transaction (a killed run
 * leaves the previous version in place).
 */
export const trainJob: Job = {
  name: 'train',
  // Runs inside the hourly pipeline; on its own only on demand (runJob, trainModel) unless a project schedules it.
  schedule: null,
  run: (ctx) => ctx.services.training.train(ctx.projectId, (fraction, step) => ctx.progress(fraction, step), ctx.signal),
};
