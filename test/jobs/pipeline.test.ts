import { Job, JobContext, JobName, stepJob } from '../../src/jobs/job';
import type { JobStepView } from '../../src/services/job-run-view';
import { pipelineJob, PIPELINE_STEPS } from '../../src/jobs/pipeline.job';

const context = (progress: Array<[number, string | undefined]> = []): JobContext => ({
  projectId: 'p1',
  runId: 'r1',
  progress: async (f, s) => void progress.push([f, s]),
  signal: new AbortController().signal,
});

const fixed = (name: JobName, counts: Record<string, number>): Job => ({ name, schedule: null, run: async () => counts });

describe('stepJob', () => {
  test("runs the step for the context's project with its run id, progress and signal, and returns the step's counts", async () => {
    const calls: unknown[] = [];
    const job = stepJob('consensus', null, {
      run: async (projectId, opts) => {
        calls.push([projectId, opts.runId, opts.signal]);
        await opts.progress(0.5, 'half');
        return { items: 3 };
      },
    });
    const progress: Array<[number, string | undefined]> = [];
    const ctx = context(progress);
    expect(job).toMatchObject({ name: 'consensus', schedule: null });
    expect(await job.run(ctx)).toEqual({ items: 3 });
    expect(calls).toEqual([['p1', 'r1', ctx.signal]]);
    expect(progress).toEqual([[0.5, 'half']]);
  });
});

describe('pipelineJob', () => {
  test('runs the steps it is given in pipeline order, skips the missing ones and saves every step on the run', async () => {
    const saved: Array<[string, JobStepView[]]> = [];
    const order: string[] = [];
    const steps = [fixed('consensus', { a: 1 }), fixed('train', { labeled: 2 })].map((j) => ({ ...j, run: async (ctx: JobContext) => (order.push(j.name), j.run(ctx)) }));
    const pipeline = pipelineJob(steps, async (runId, record) => void saved.push([runId, record.map((r) => ({ ...r }))]));
    const counts = await pipeline.run(context());
    expect(order).toEqual(['train', 'consensus']);
    expect(counts).toMatchObject({ 'train.labeled': 2, 'consensus.a': 1, steps: 2 });
    const last = saved[saved.length - 1];
    expect(last[0]).toBe('r1');
    // Saved as each step ends: up to the last step that ran.
    expect(last[1].map((s) => [s.name, s.status, s.reason])).toEqual([
      ['train', 'SUCCEEDED', null],
      ['labelIssues', 'SKIPPED', 'not available in this version'],
      ['consensus', 'SUCCEEDED', null],
    ]);
    expect(PIPELINE_STEPS.slice(0, 3)).toEqual(['train', 'labelIssues', 'consensus']);
  });

  test('the first failing step ends the pipeline, naming it; the later steps are recorded SKIPPED', async () => {
    const saved: JobStepView[][] = [];
    const boom: Job = { name: 'labelIssues', schedule: null, run: async () => Promise.reject(new Error('no model')) };
    const pipeline = pipelineJob([fixed('train', {}), boom, fixed('consensus', {})], async (_runId, record) => void saved.push([...record]));
    await expect(pipeline.run(context())).rejects.toThrow('step labelIssues failed: no model');
    const last = saved[saved.length - 1];
    expect(last.find((s) => s.name === 'labelIssues')).toMatchObject({ status: 'FAILED', error: 'no model' });
    expect(last.find((s) => s.name === 'consensus')).toMatchObject({ status: 'SKIPPED', reason: 'step labelIssues failed' });
  });
});
