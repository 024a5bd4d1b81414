import { Job, PipelineStep, stepJob } from './job';

/**
 * Compares the current window with the reference window (DriftService.run: embeddings by MMD, predicted classes,
 * labels, each annotator's label mix) and writes the run's reports in ONE transaction; driftReports shows the latest
 * run's set, so a run killed mid-way leaves the previous set in place. No schedule of its own: it runs in the pipeline.
 */
export const driftJob = (drift: PipelineStep): Job => stepJob('drift', null, drift);
