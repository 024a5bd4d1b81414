import { Job, PipelineStep, stepJob } from './job';

/**
 * Item consensus and annotator quality: human annotations through majority vote, Dawid–Skene and (with model
 * predictions) CROWDLAB, weak votes through the label model; the method most accurate on gold items is used, majority
 * vote without gold (see ConsensusService.run). Results replace the previous ones in one transaction.
 */
export const consensusJob = (consensus: PipelineStep): Job => stepJob('consensus', null, consensus);
