import type { LabelIssueDecision, LabelIssueRow, LabelIssueStatus } from '../db/repositories/label-issue.repository';
import type { LabelHealthSummary } from '../quality/health-summary';
import { ItemView, toItemView } from './item.service';
import type { Page } from './page';

export interface LabelIssueView {
  id: string;
  projectId: string;
  itemId: string;
  item: ItemView;
  modelVersionId: string | null;
  givenLabel: string;
  suggestedLabel: string;
  /** Label quality score of the given label, in [0, 1]; lower = more likely wrong. */
  score: number;
  /** How the issue was found (findLabelIssues filterBy). */
  method: string;
  /** How `score` was computed (getLabelQualityScores method = findLabelIssues rankBy). */
  scoreMethod: string;
  status: LabelIssueStatus;
  decision: LabelIssueDecision | null;
  resolvedLabel: string | null;
  note: string | null;
  route: 'EXPERT' | null;
  reviewAnnotationId: string | null;
  resolvedBy: string | null;
  resolvedAt: Date | null;
  reopenedFrom: string | null;
  runId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An issue's position in the issues order: its score, then id. */
export interface LabelIssueKey {
  score: number;
  id: string;
}

/** A page of label issues, lowest score first. */
export interface LabelIssuePage extends Page<LabelIssueView, LabelIssueKey> {
  /** The model version the current issue set came from (the last labelIssues run's); null before any run. */
  modelVersionId: string | null;
}

export interface LabelIssueFilterData {
  status?: LabelIssueStatus | null;
  minScore?: number | null;
  label?: string | null;
}

export interface LabelHealthView {
  modelVersionId: string | null;
  /** Labeled items the model version predicted (the summary's N). */
  labeledCount: number;
  openIssues: number;
  resolvedIssues: number;
  overallLabelHealthScore: number | null;
  classes: Array<{
    label: string;
    labelIssues: number;
    inverseLabelIssues: number;
    labelNoise: number;
    inverseLabelNoise: number;
    labelQualityScore: number;
  }>;
  overlappingClasses: Array<{ classA: string; classB: string; numOverlapping: number; jointProbability: number }>;
  /** p(given = row, true = column), K×K over the model version's classes. */
  joint: number[][] | null;
}

/** A label issue row (with its item's columns) as the API shows it. */
export function toIssueView(r: LabelIssueRow): LabelIssueView {
  const date = (d: Date | null) => (d ? new Date(d) : null);
  return {
    id: r.li_id,
    projectId: r.li_project_id,
    itemId: r.li_item_id,
    item: toItemView(r as unknown as Parameters<typeof toItemView>[0]),
    modelVersionId: r.li_model_version_id,
    givenLabel: r.li_given,
    suggestedLabel: r.li_suggested,
    score: Number(r.li_score),
    method: r.li_method,
    scoreMethod: r.li_score_method,
    status: r.li_status,
    decision: r.li_decision,
    resolvedLabel: r.li_resolved_label,
    note: r.li_note,
    route: r.li_route,
    reviewAnnotationId: r.li_review_annotation_id,
    resolvedBy: r.li_resolved_by,
    resolvedAt: date(r.li_resolved_at),
    reopenedFrom: r.li_reopened_from,
    runId: r.li_run_id,
    createdAt: new Date(r.li_created_at),
    updatedAt: new Date(r.li_updated_at),
  };
}

/**
 * The health view of a summary over `classes` (class indices become names); `summary` null: nothing was scored
 * (no model version, or no labeled item it predicted).
 */
export function toLabelHealthView(
  base: Pick<LabelHealthView, 'modelVersionId' | 'labeledCount' | 'openIssues' | 'resolvedIssues'>,
  classes: readonly string[],
  summary: LabelHealthSummary | null,
): LabelHealthView {
  if (!summary) return { ...base, overallLabelHealthScore: null, classes: [], overlappingClasses: [], joint: null };
  return {
    ...base,
    overallLabelHealthScore: summary.overallLabelHealthScore,
    classes: summary.classesByLabelQuality.map((c) => ({
      label: classes[c.class],
      labelIssues: c.labelIssues,
      inverseLabelIssues: c.inverseLabelIssues,
      labelNoise: c.labelNoise,
      inverseLabelNoise: c.inverseLabelNoise,
      labelQualityScore: c.labelQualityScore,
    })),
    overlappingClasses: summary.overlappingClasses.map((o) => ({
      classA: classes[o.classA],
      classB: classes[o.classB],
      numOverlapping: o.numOverlapping,
      jointProbability: o.jointProbability,
    })),
    joint: summary.joint,
  };
}
