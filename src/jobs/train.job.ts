import { Job, PipelineStep, stepJob } from './job';

/**
 * Trains the project's built-in model with K-fold cross-validation: out-of-sample probabilities for the labeled
 * items and the fold models' mean for the pool, stored as a new model version in one transaction (a killed run
 * leaves the previous version in place).
 */
// Runs inside the hourly pipeline; on its own only on demand (runJob, trainModel) unless a project schedules it.
export const trainJob = (training: PipelineStep): Job => stepJob('train', null, training);
