import { Job, PipelineStep, stepJob } from './job';

/**
 * Detects label issues: confident learning on the latest model version's out-of-sample predictions for labeled
 * items (see LabelIssueService.run for the rules), written in one transaction so a killed run leaves the
 * previous issue set in place. No schedule of its own: it runs in the pipeline after `train`, or on demand.
 */
export const labelIssuesJob = (labelIssues: PipelineStep): Job => stepJob('labelIssues', null, labelIssues);
