import type { JobName } from './pipeline-step';
import type { JobRunView } from './job-run-view';
import type { Principal } from './auth.service';
import type { ProjectService } from './project.service';

/** What this service needs of the job runner (src/jobs/runner.ts implements it). */
export interface JobStarter {
  /** Starts a run now and returns its job run at once (QUEUED), or the run of that job already in progress. */
  startManual(projectId: string, name: JobName): Promise<JobRunView>;
  recover(): Promise<number>;
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** runJob, trainModel and the job runner's lifecycle (recovery at start, drain at shutdown). */
export class JobService {
  constructor(
    private readonly projects: ProjectService,
    readonly runner: JobStarter,
  ) {}

  /**
   * Runs a job for a project now: returns its job run at once (QUEUED) and works in the background. While a run of
   * that job is in progress for the project (on any replica), returns it instead of starting another.
   */
  async runJob(p: Principal, projectId: string, name: JobName): Promise<JobRunView> {
    const project = await this.projects.access(p, projectId, 'jobs:run');
    return this.runner.startManual(project.id, name);
  }

  /**
   * Starts training the built-in model of a project (the `train` job) under the model:train role and returns its job
   * run at once (QUEUED); the work runs in the background. While one runs (in this process or another replica), a
   * second call returns it.
   */
  async trainModel(p: Principal, projectId: string): Promise<JobRunView> {
    const project = await this.projects.access(p, projectId, 'model:train');
    return this.runner.startManual(project.id, 'train');
  }

  /** At start: runs left QUEUED or RUNNING by a process that died are marked FAILED. */
  recover(): Promise<number> {
    return this.runner.recover();
  }

  /** Resolves when every job started by this process has ended (for shutdown and tests). */
  idle(): Promise<void> {
    return this.runner.idle();
  }

  /** At shutdown: no new runs; running ones are asked to stop and record their end. */
  close(): Promise<void> {
    return this.runner.close();
  }
}
