import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../db/database';
import { log } from '../logger';
import { findProject } from '../db/repositories/project.repository';

/**
 * Loupe's Prometheus metrics. Naming: `loupe_` prefix, base units (seconds, ratios 0..1), `_total` on
 * counters, labels bounded by projects, classes, annotators, jobs and statuses — never by item.
 *
 * Two kinds of source:
 * - recorded in this process as things happen (job runs, progress, GraphQL requests, refused requests): here, in
 *   {@link processRegistry}, one per process, updated by the job runner, the Apollo plugin and the HTTP guards.
 * - read from the database when scraped: `LoupeMetrics` (database-gauges.ts), fed by callbacks the composition root
 *   wires. Every replica reports the same values for these; aggregate them with max() across instances.
 */

/** Every metric Loupe defines (not the process_/nodejs_ defaults), with its type. Dashboards may query only these. */
export const METRIC_NAMES = {
  // Throughput
  loupe_items: 'gauge',
  loupe_queue_items: 'gauge',
  loupe_annotations_total: 'counter',
  loupe_annotator_annotations_total: 'counter',
  loupe_labeling_time_seconds_total: 'counter',
  loupe_labeling_timed_annotations_total: 'counter',
  // Label quality
  loupe_label_issues: 'gauge',
  loupe_label_issue_resolutions_total: 'counter',
  loupe_label_health_score: 'gauge',
  loupe_label_quality_score: 'gauge',
  // Agreement
  loupe_agreement: 'gauge',
  loupe_annotator_agreement_ratio: 'gauge',
  loupe_annotator_quality_ratio: 'gauge',
  loupe_annotator_gold_accuracy_ratio: 'gauge',
  // Model, routes, drift
  loupe_model_cross_val_accuracy_ratio: 'gauge',
  loupe_model_cross_val_log_loss: 'gauge',
  loupe_model_training_seconds: 'gauge',
  loupe_items_routed: 'gauge',
  loupe_drift_statistic: 'gauge',
  loupe_drift_verdict: 'gauge',
  // Jobs
  loupe_job_runs_total: 'counter',
  loupe_job_failures_total: 'counter',
  loupe_job_duration_seconds: 'histogram',
  loupe_job_progress_ratio: 'gauge',
  loupe_job_eta_seconds: 'gauge',
  loupe_job_last_success_timestamp_seconds: 'gauge',
  // API
  loupe_graphql_request_duration_seconds: 'histogram',
} as const;
export type MetricName = keyof typeof METRIC_NAMES;

// ---- process metrics ---------------------------------------------------------------------------------------------

/** Metrics this process records as things happen (job runs, GraphQL requests), plus Node's process defaults. */
export const processRegistry = new Registry();
let defaultsOn = false;

const jobRuns = new Counter({
  name: 'loupe_job_runs_total',
  help: 'Job runs finished in this process, by project, job and outcome (succeeded or failed).',
  labelNames: ['project', 'job', 'status'] as const,
  registers: [processRegistry],
});
const jobFailures = new Counter({
  name: 'loupe_job_failures_total',
  help: 'Job runs that failed in this process, by project and job.',
  labelNames: ['project', 'job'] as const,
  registers: [processRegistry],
});
const jobDuration = new Histogram({
  name: 'loupe_job_duration_seconds',
  help: 'Wall time of finished job runs in this process, by job and outcome.',
  labelNames: ['job', 'status'] as const,
  buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800, 3600],
  registers: [processRegistry],
});
const jobProgress = new Gauge({
  name: 'loupe_job_progress_ratio',
  help: 'Fraction done (0..1) of the latest run of each job in this process; 1 once finished.',
  labelNames: ['project', 'job'] as const,
  registers: [processRegistry],
});
const jobEta = new Gauge({
  name: 'loupe_job_eta_seconds',
  help: 'Estimated seconds left for the running job (elapsed × (1 − progress) / progress); 0 once finished.',
  labelNames: ['project', 'job'] as const,
  registers: [processRegistry],
});
const graphqlDuration = new Histogram({
  name: 'loupe_graphql_request_duration_seconds',
  help: 'GraphQL request duration, by operation type (query, mutation, unknown when it did not parse) and outcome (ok, error).',
  labelNames: ['operation', 'outcome'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [processRegistry],
});

const requestsRefused = new Counter({
  name: 'loupe_requests_refused_total',
  help: 'Requests this process refused before running them, by reason (unauthenticated, query_too_large, too_many_tokens, too_many_aliases, too_many_root_fields, too_many_fields, too_deep, fragment_cycle, too_costly, rate_limited, auth_rate_limited, shutting_down, ...).',
  labelNames: ['reason'] as const,
  registers: [processRegistry],
});

/**
 * Records a refused request: counts it by reason and logs one line with the caller's key id (never the key) and
 * client address when known.
 */
export function refuseRequest(reason: string, detail: { keyId?: string | null; address?: string | null; message?: string } = {}): void {
  requestsRefused.inc({ reason });
  log.warn('request refused', { reason, keyId: detail.keyId ?? null, address: detail.address ?? null, ...(detail.message ? { message: detail.message } : {}) });
}

/** Turns on Node's default process metrics (once per process). */
export function enableDefaultMetrics(): void {
  if (defaultsOn) return;
  defaultsOn = true;
  collectDefaultMetrics({ register: processRegistry });
}

export function observeGraphql(operation: string, outcome: 'ok' | 'error', seconds: number): void {
  graphqlDuration.observe({ operation, outcome }, seconds);
}

const projectNames = new Map<string, string>();
async function projectName(db: Database, projectId: string | null): Promise<string> {
  if (!projectId) return '';
  const known = projectNames.get(projectId);
  if (known !== undefined) return known;
  const row = await findProject(db, projectId).catch(() => null);
  const name = row?.name ?? projectId;
  projectNames.set(projectId, name);
  return name;
}

/** What the job runner records about one run: progress as it goes, then its end. Never throws. */
export interface JobObserver {
  progress(fraction: number): void;
  end(status: 'succeeded' | 'failed'): void;
}

/** Starts observing a job run (called by the runner when the run starts). */
export function observeJob(db: Database, projectId: string | null, job: string): JobObserver {
  const t0 = Date.now();
  let project: string | null = null;
  let pending = 0;
  const set = (f: number) => {
    if (project === null) return;
    jobProgress.set({ project, job }, f);
    const elapsed = (Date.now() - t0) / 1000;
    jobEta.set({ project, job }, f >= 1 ? 0 : f > 0 ? (elapsed * (1 - f)) / f : NaN);
  };
  const named = projectName(db, projectId).then((n) => {
    project = n;
    jobFailures.inc({ project, job }, 0); // present (0) from the first run, so rate() and alerts see it
    set(pending);
  });
  return {
    progress: (f) => {
      pending = Number.isFinite(f) ? Math.min(1, Math.max(0, f)) : 0;
      set(pending);
    },
    end: (status) => {
      const seconds = (Date.now() - t0) / 1000;
      jobDuration.observe({ job, status }, seconds);
      void named.then(() => {
        const p = project ?? '';
        jobRuns.inc({ project: p, job, status });
        if (status === 'failed') jobFailures.inc({ project: p, job });
        else set(1);
        jobEta.set({ project: p, job }, 0);
      });
    },
  };
}
