import type { Database } from '../db/database';
import type { JobName } from '../jobs/job';
import type { JobRunView } from '../jobs/job-run';
import { JobRunner } from '../jobs/runner';
import type { Principal } from './auth.service';
import type { ProjectService } from './project.service';
import type { Services } from './services';

/** runJob and the job runner's lifecycle (recovery at start, drain at shutdown). */
export class JobService {
  readonly runner: JobRunner;

  constructor(
    db: Database,
    private readonly projects: ProjectService,
    services: () => Services,
  ) {
    this.runner = new JobRunner(db, services);
  }

  /**
   * Runs a job for a project now: returns its job run at once (QUEUED) and works in the background. While a run of
   * that job is in progress for the project (on any replica), returns it instead of starting another.
   */
  async runJob(p: Principal, projectId: string, name: JobName): Promise<JobRunView> {
    const project = await this.projects.access(p, projectId, 'jobs:run');
    return this.runner.startManual(project.id, name);
  }

  /** At start: runs left QUEUED or RUNNING by a process that died are marked FAILED. */
  recover(): Promise<number> {
    return this.runner.recover();
  }

  idle(): Promise<void> {
    return this.runner.idle();
  }

  /** At shutdown: no new runs; running ones are asked to stop and record their end. */
  close(): Promise<void> {
    return this.runner.close();
  }
}
