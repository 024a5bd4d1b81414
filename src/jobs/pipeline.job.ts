import { performance } from 'node:perf_hooks';
import { Job, JOB_NAMES, JobName } from './job';
import type { JobStepView } from '../services/job-run-view';

/** The pipeline's steps, in order: every job name but `pipeline` itself. */
export const PIPELINE_STEPS: readonly JobName[] = JOB_NAMES.filter((n) => n !== 'pipeline');

/** Marks an error that ends the pipeline as expected when the failing step's error was (see the runner). */
class StepFailed extends Error {
  constructor(
    message: string,
    readonly expected: boolean,
  ) {
    super(message);
  }
}

/**
 * Every registered step in pipeline order (train → labelIssues → consensus → route → drift → metrics); a step not
 * registered in this build is skipped and said so. Each step's status, time and counts are written to the run's
 * `steps` as it ends; counts come back flattened (`train.labeled`, `train.ms`, …). The first failing step ends the
 * pipeline (later steps read what earlier ones wrote) and the run fails naming it; the steps that succeeded keep
 * their results, each written in its own transaction by `saveSteps` (the run's id, every step's record so far).
 */
export function pipelineJob(steps: readonly Job[], saveSteps: (runId: string, steps: JobStepView[]) => Promise<void>): Job {
  return {
    name: 'pipeline',
    schedule: '0 * * * *',
    run: async (ctx) => {
      const byName = new Map(steps.map((j) => [j.name, j]));
      const n = PIPELINE_STEPS.length;
      const record: JobStepView[] = [];
      const counts: Record<string, number> = {};
      const save = () => saveSteps(ctx.runId, record);
      let ran = 0;
      for (let i = 0; i < n; i++) {
        const name = PIPELINE_STEPS[i];
        const job = byName.get(name);
        if (!job) {
          record.push({ name, status: 'SKIPPED', ms: null, counts: null, error: null, reason: 'not available in this version' });
          continue;
        }
        await ctx.progress(i / n, name);
        const t0 = performance.now();
        try {
          const c = await job.run({
            ...ctx,
            progress: (f, step) => ctx.progress((i + Math.min(1, Math.max(0, Number.isFinite(f) ? f : 0))) / n, step ? `${name}: ${step}` : name),
          });
          const ms = Math.round(performance.now() - t0);
          record.push({ name, status: 'SUCCEEDED', ms, counts: c, error: null, reason: null });
          for (const [k, v] of Object.entries(c)) counts[`${name}.${k}`] = v;
          counts[`${name}.ms`] = ms;
          ran++;
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          record.push({ name, status: 'FAILED', ms: Math.round(performance.now() - t0), counts: null, error: message, reason: null });
          for (const rest of PIPELINE_STEPS.slice(i + 1)) {
            record.push({ name: rest, status: 'SKIPPED', ms: null, counts: null, error: null, reason: `step ${name} failed` });
          }
          await save();
          const expected = (e as { expected?: unknown }).expected === true || (e as Error)?.name === 'LoupeError';
          throw new StepFailed(`step ${name} failed: ${message}`, expected);
        }
        await save();
      }
      counts.steps = ran;
      return counts;
    },
  };
}
