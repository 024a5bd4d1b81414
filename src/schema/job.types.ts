import { registerEnumType } from 'type-graphql';
import { JOB_NAMES, JobName } from '../jobs/job';

/** The jobs runJob can start: the pipeline steps and `pipeline` (all of them in order). */
export const JobNameEnum = Object.fromEntries(JOB_NAMES.map((n) => [n, n])) as { [K in JobName]: K };
registerEnumType(JobNameEnum, {
  name: 'JobName',
  description: 'train, labelIssues, consensus, route, drift, metrics; pipeline runs them all in that order.',
});
