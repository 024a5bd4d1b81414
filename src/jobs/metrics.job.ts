import { Job, PipelineStep, stepJob } from './job';

/**
 * Writes one `metrics_snapshot` row with the project's key figures: items, labeled items, annotations (by kind),
 * annotators, open label issues, the latest model version and its cross-validated accuracy (MetricsSnapshotService.run).
 * One transaction.
 */
export const metricsJob = (snapshots: PipelineStep): Job => stepJob('metrics', '*/15 * * * *', snapshots);
