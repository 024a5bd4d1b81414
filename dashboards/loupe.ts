import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/**
 * Loupe's Grafana dashboards as code, built with @grafana/grafana-foundation-sdk. Every query reads a
 * metric of src/metrics/registry.ts (a test checks it). `npm run dashboards` writes them to dashboards/generated/.
 */

/** The Prometheus data source the provisioning file creates; dashboards refer to it by this uid. */
export const DATASOURCE_UID = 'loupe-prometheus';
const ds: common.DataSourceRef = { type: 'prometheus', uid: DATASOURCE_UID };
const P = 'project=~"$project"';

export interface LoupeDashboard {
  /** File name under dashboards/generated/. */
  file: string;
  /** What the dashboard answers (README). */
  answers: string;
  model: dashboard.Dashboard;
}

let ref = 0;
/** Panel ids, from 1 in each dashboard (set in {@link base}), so the JSON is stable. */
let panelId = 0;
function q(expr: string, legend = '', opts: { instant?: boolean; table?: boolean } = {}): prometheus.DataqueryBuilder {
  const b = new prometheus.DataqueryBuilder()
    .datasource(ds)
    .expr(expr)
    .refId(String.fromCharCode(65 + ref++));
  if (legend) b.legendFormat(legend);
  if (opts.instant) b.instant();
  else b.range();
  if (opts.table) b.format(prometheus.PromQueryFormat.Table);
  return b;
}

function ts(title: string, description: string, unit: string, targets: prometheus.DataqueryBuilder[], w = 12, stacked = false) {
  ref = 0;
  const p = new timeseries.PanelBuilder().id(++panelId).title(title).description(description).datasource(ds).unit(unit).gridPos({ x: 0, y: 0, w, h: 8 });
  for (const t of targets) p.withTarget(t);
  if (stacked) p.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  return p;
}

function single(title: string, description: string, unit: string, target: prometheus.DataqueryBuilder, w = 6) {
  ref = 0;
  return new stat.PanelBuilder().id(++panelId).title(title).description(description).datasource(ds).unit(unit).gridPos({ x: 0, y: 0, w, h: 4 }).withTarget(target);
}

function tbl(title: string, description: string, targets: prometheus.DataqueryBuilder[], w = 24) {
  ref = 0;
  const p = new table.PanelBuilder().id(++panelId).title(title).description(description).datasource(ds).gridPos({ x: 0, y: 0, w, h: 8 });
  for (const t of targets) p.withTarget(t);
  // One row per annotator, one column per query.
  p.withTransformation({ id: 'merge', options: {} });
  return p;
}

function base(uid: string, title: string, description: string): dashboard.DashboardBuilder {
  panelId = 0;
  const project = new dashboard.QueryVariableBuilder('project')
    .label('Project')
    .datasource(ds)
    .query('label_values(loupe_items, project)')
    .definition('label_values(loupe_items, project)')
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*');
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['loupe'])
    .editable()
    .time({ from: 'now-7d', to: 'now' })
    .refresh('1m')
    .timezone('browser')
    .withVariable(project);
}

function throughput(): LoupeDashboard {
  const d = base('loupe-throughput', 'Loupe / Throughput', 'How fast is the data being labeled, by whom, and how much is left?')
    .withPanel(single('Items', 'Items in the selected projects.', 'short', q(`sum(loupe_items{${P}})`, '', { instant: true })))
    .withPanel(single('Queue', 'Items waiting for a label.', 'short', q(`sum(loupe_queue_items{${P}})`, '', { instant: true })))
    .withPanel(single('Annotations (24h)', 'Annotations recorded over the last 24 hours.', 'short', q(`sum(increase(loupe_annotations_total{${P}}[24h]))`, '', { instant: true })))
    .withPanel(
      single(
        'Time per label (24h)',
        'Mean labeling time reported with human annotations over the last 24 hours.',
        's',
        q(`sum(increase(loupe_labeling_time_seconds_total{${P},annotator_kind="HUMAN"}[24h])) / sum(increase(loupe_labeling_timed_annotations_total{${P},annotator_kind="HUMAN"}[24h]))`, '', { instant: true }),
      ),
    )
    .withPanel(ts('Annotations per hour by annotator kind and kind', 'Rate of new annotations, per hour.', 'short', [q(`sum by (annotator_kind, kind) (rate(loupe_annotations_total{${P}}[1h])) * 3600`, '{{annotator_kind}} / {{kind}}')], 12, true))
    .withPanel(ts('Annotations per hour by annotator', 'Rate of new annotations of each annotator, per hour.', 'short', [q(`sum by (annotator) (rate(loupe_annotator_annotations_total{${P}}[1h])) * 3600`, '{{annotator}}')]))
    .withPanel(ts('Queue size', 'Items without a label, over time.', 'short', [q(`sum by (project) (loupe_queue_items{${P}})`, '{{project}}')]))
    .withPanel(
      ts('Time per label', 'Mean labeling time of the annotations made in the last hour, by annotator kind.', 's', [
        q(`sum by (annotator_kind) (rate(loupe_labeling_time_seconds_total{${P}}[1h])) / sum by (annotator_kind) (rate(loupe_labeling_timed_annotations_total{${P}}[1h]))`, '{{annotator_kind}}'),
      ]),
    )
    .build();
  return { file: 'loupe-throughput.json', answers: 'How many annotations per hour, by annotator and kind; how big the queue is; how long a label takes.', model: d };
}

function agreement(): LoupeDashboard {
  const d = base('loupe-agreement', 'Loupe / Agreement', 'Do annotators agree with each other, with the consensus and with gold?')
    .withPanel(ts("Agreement over time (kappa, alpha)", "Fleiss' kappa, Krippendorff's alpha and mean Cohen's kappa over all human annotations, after each consensus run.", 'percentunit', [q(`loupe_agreement{${P}}`, '{{project}} {{statistic}}')]))
    .withPanel(ts('Gold accuracy by annotator', "Each annotator's accuracy on gold items.", 'percentunit', [q(`loupe_annotator_gold_accuracy_ratio{${P}}`, '{{annotator}}')]))
    .withPanel(
      tbl(
        'Agreement by annotator',
        'Agreement with the consensus, quality score and gold accuracy per annotator. The pairwise annotator × annotator matrix stays in GraphQL (agreement, annotatorStats): Prometheus labels stay per annotator.',
        [
          q(`max by (project, annotator) (loupe_annotator_agreement_ratio{${P}})`, '', { instant: true, table: true }),
          q(`max by (project, annotator) (loupe_annotator_quality_ratio{${P}})`, '', { instant: true, table: true }),
          q(`max by (project, annotator) (loupe_annotator_gold_accuracy_ratio{${P}})`, '', { instant: true, table: true }),
        ],
      ),
    )
    .withPanel(ts('Agreement with consensus by annotator', "Each annotator's agreement with the consensus label over time.", 'percentunit', [q(`loupe_annotator_agreement_ratio{${P}}`, '{{annotator}}')], 24))
    .build();
  return { file: 'loupe-agreement.json', answers: "Are annotators consistent (kappa/alpha over time), who agrees with the consensus and with gold, and who drifts apart.", model: d };
}

function labelQuality(): LoupeDashboard {
  const d = base('loupe-label-quality', 'Loupe / Label quality', 'Which labels are likely wrong, and what happens to them in review?')
    .withPanel(single('Open label issues', 'Label issues waiting for review.', 'short', q(`sum(loupe_label_issues{${P},status="open"})`, '', { instant: true })))
    .withPanel(single('Label health', "cleanlab's overall label health score (1 = no suspected label errors).", 'percentunit', q(`min(loupe_label_health_score{${P}})`, '', { instant: true })))
    .withPanel(single('Resolved (7d)', 'Label issues resolved over the last 7 days.', 'short', q(`sum(increase(loupe_label_issue_resolutions_total{${P}}[7d]))`, '', { instant: true })))
    .withPanel(single('Resolved issues', 'Label issues resolved, all time.', 'short', q(`sum(loupe_label_issues{${P},status="resolved"})`, '', { instant: true })))
    .withPanel(ts('Open issues by class', 'Open label issues by given class.', 'short', [q(`sum by (class) (loupe_label_issues{${P},status="open"})`, '{{class}}')], 12, true))
    .withPanel(ts('Resolution outcomes', 'Resolutions per day, by decision (accept suggestion, keep given, relabel, not sure).', 'short', [q(`sum by (decision) (increase(loupe_label_issue_resolutions_total{${P}}[1d]))`, '{{decision}}')], 12, true))
    .withPanel(ts('Label health', 'Overall label health score and per-class label quality under the latest model version.', 'percentunit', [q(`loupe_label_health_score{${P}}`, '{{project}} overall'), q(`loupe_label_quality_score{${P}}`, '{{project}} {{class}}')], 24))
    .build();
  return { file: 'loupe-label-quality.json', answers: 'How many suspected label errors are open, in which classes, how reviews resolve them, and whether label health improves.', model: d };
}

function modelDrift(): LoupeDashboard {
  const d = base('loupe-model-drift', 'Loupe / Model and drift', 'How good is the model, is the data drifting, and where do items go?')
    .withPanel(ts('Cross-validated accuracy per model version', 'Accuracy of the latest model version (label: version).', 'percentunit', [q(`loupe_model_cross_val_accuracy_ratio{${P}}`, '{{project}} {{version}}')], 8))
    .withPanel(ts('Cross-validated log loss per model version', 'Log loss of the latest model version.', 'short', [q(`loupe_model_cross_val_log_loss{${P}}`, '{{project}} {{version}}')], 8))
    .withPanel(ts('Training time', 'Training time of the latest model version.', 's', [q(`loupe_model_training_seconds{${P}}`, '{{project}} {{version}}')], 8))
    .withPanel(ts('Drift statistics', 'Statistics of the latest drift run (MMD, chi², JS, PSI…), by kind and annotator.', 'short', [q(`loupe_drift_statistic{${P}}`, '{{kind}} {{statistic}} {{annotator}}')]))
    .withPanel(ts('Drift verdicts', 'Worst verdict per kind: 0 OK, 1 WARN, 2 DRIFT.', 'short', [q(`max by (kind) (loupe_drift_verdict{${P}})`, '{{kind}}')]))
    .withPanel(ts('Items per route', 'Routes of the latest route run (auto-accept, single review, consensus, expert, done).', 'short', [q(`sum by (route) (loupe_items_routed{${P}})`, '{{route}}')], 24, true))
    .build();
  return { file: 'loupe-model-drift.json', answers: 'Model quality per version, drift statistics and verdicts, and how many items each route takes.', model: d };
}

function jobs(): LoupeDashboard {
  const d = base('loupe-jobs', 'Loupe / Jobs', 'Do the pipeline jobs run, how long do they take, do they fail, and is the API fast?')
    .withPanel(ts('Job duration p50 / p95', 'Wall time of finished runs, by job.', 's', [
      q('histogram_quantile(0.5, sum by (le, job) (rate(loupe_job_duration_seconds_bucket[1h])))', 'p50 {{job}}'),
      q('histogram_quantile(0.95, sum by (le, job) (rate(loupe_job_duration_seconds_bucket[1h])))', 'p95 {{job}}'),
    ]))
    .withPanel(ts('Job runs and failures per hour', 'Finished runs by outcome, and failures, per hour.', 'short', [
      q(`sum by (job, status) (increase(loupe_job_runs_total{${P}}[1h]))`, '{{job}} {{status}}'),
      q(`sum by (job) (increase(loupe_job_failures_total{${P}}[1h]))`, '{{job}} failures'),
    ]))
    .withPanel(ts('Progress of running jobs', 'Fraction done of the latest run of each job.', 'percentunit', [q(`loupe_job_progress_ratio{${P}}`, '{{project}} {{job}}')], 8))
    .withPanel(ts('ETA of running jobs', 'Estimated time left of running jobs.', 's', [q(`loupe_job_eta_seconds{${P}} > 0`, '{{project}} {{job}}')], 8))
    .withPanel(ts('Since last success', 'Time since each job last succeeded: a growing line is a job that stopped running.', 's', [q(`time() - max by (project, job) (loupe_job_last_success_timestamp_seconds{${P}})`, '{{project}} {{job}}')], 8))
    .withPanel(ts('GraphQL request duration p95', 'p95 of GraphQL requests, by operation type and outcome.', 's', [q('histogram_quantile(0.95, sum by (le, operation, outcome) (rate(loupe_graphql_request_duration_seconds_bucket[5m])))', '{{operation}} {{outcome}}')], 24))
    .build();
  return { file: 'loupe-jobs.json', answers: 'Whether the pipeline jobs run on time, how long they take, which fail, and the API latency.', model: d };
}

/** Every dashboard, in a fixed order. */
export function buildDashboards(): LoupeDashboard[] {
  return [throughput(), agreement(), labelQuality(), modelDrift(), jobs()];
}

/** Grafana provisioning: the Prometheus data source (uid {@link DATASOURCE_UID}) and the dashboard folder. */
export function provisioningFiles(): Record<string, string> {
  return {
    'provisioning/datasources/loupe.yaml': [
      'apiVersion: 1',
      'datasources:',
      '  - name: Loupe Prometheus',
      '    type: prometheus',
      `    uid: ${DATASOURCE_UID}`,
      '    access: proxy',
      '    # Where your Prometheus (or Mimir / Grafana Cloud query endpoint) answers.',
      '    url: ${LOUPE_PROMETHEUS_URL}',
      '    isDefault: false',
      '    editable: true',
      '',
    ].join('\n'),
    'provisioning/dashboards/loupe.yaml': [
      'apiVersion: 1',
      'providers:',
      '  - name: loupe',
      '    folder: Loupe',
      '    type: file',
      '    disableDeletion: false',
      '    allowUiUpdates: false',
      '    options:',
      '      # Copy dashboards/generated/*.json here (or mount the folder).',
      '      path: /var/lib/grafana/dashboards/loupe',
      '',
    ].join('\n'),
  };
}

/** Every generated file, relative to dashboards/generated/, with its exact content. */
export function generatedFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of buildDashboards()) out[d.file] = JSON.stringify(d.model, null, 2) + '\n';
  return { ...out, ...provisioningFiles() };
}
