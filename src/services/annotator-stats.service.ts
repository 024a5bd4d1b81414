import { Database } from '../db/database';
import { findAnnotatorLabelMix, findAnnotatorNames, findAnnotatorThroughput } from '../db/repositories/annotator.repository';
import { findAnnotatorQualities, findConsensusLabels, findLatestLabelsOfKind } from '../db/repositories/consensus.repository';
import { badInput } from '../errors';
import { AgreementSummary, agreementSummary } from '../quality/agreement-summary';
import { annotatorStatistics, LabelDrift, labelDrift, noDrift } from '../quality/annotator-statistics';
import { Principal } from './auth.service';
import { loadHuman } from './consensus-tables';
import { ProjectService, ProjectView } from './project.service';
import type { ReadCache } from './read-cache';

/** The label-distribution drift of an annotator compares its last DRIFT_DAYS with everything before. */
const DRIFT_DAYS = 7;

export interface AnnotatorStatView {
  annotatorId: string;
  name: string;
  kind: string;
  annotations: number;
  last24h: number;
  last7d: number;
  perHour24h: number;
  perHour7d: number;
  /** Items it labeled (latest HUMAN annotation per item). */
  itemsLabeled: number;
  agreementWithConsensus: number | null;
  quality: number | null;
  goldN: number;
  goldAccuracy: number | null;
  goldLower: number | null;
  goldUpper: number | null;
  labelDrift: LabelDrift;
}

export interface AnnotatorStatsView {
  projectId: string;
  annotators: AnnotatorStatView[];
  kappa: Array<{ a: string; b: string; kappa: number | null; sharedItems: number }>;
  meanKappa: number | null;
  /** 'ITEM_CONSENSUS' when the consensus job has run (its labels), else 'MAJORITY_VOTE' (computed live). */
  consensusSource: string;
}

/** Agreement among annotators over the HUMAN annotations made in [from, to). */
export interface AgreementView extends AgreementSummary {
  projectId: string;
  from: Date;
  to: Date;
}

function checkDate(d: unknown, field: string): Date {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw badInput(field, 'must be a date-time');
  return d;
}

/** How annotators label: throughput, agreement with the consensus and with each other, accuracy on gold, drift. */
export class AnnotatorStatsService {
  constructor(
    private readonly db: Database,
    private readonly projects: ProjectService,
    private readonly cache: ReadCache,
  ) {}

  /**
   * Per annotator (kinds HUMAN and TOOL): throughput, agreement with the consensus (the consensus job's labels where
   * it has run, else the live majority vote), accuracy on gold with a 95 % Wilson interval (live), the consensus job's
   * quality estimate, and label-distribution drift (Jensen–Shannon distance, base 2, between its HUMAN labels of the
   * last 7 days and those before); plus the pairwise Cohen's kappa of every pair of annotators sharing items.
   */
  async annotatorStats(p: Principal, projectId: string): Promise<AnnotatorStatsView> {
    const project = await this.projects.access(p, projectId, 'consensus:read');
    return this.cache.get(project.id, 'annotatorStats', [], () => this.computeAnnotatorStats(project));
  }

  private async computeAnnotatorStats(project: ProjectView): Promise<AnnotatorStatsView> {
    return this.db.read(async (sql) => {
      const ann = await findAnnotatorThroughput(sql, project.id);
      const human = await loadHuman(sql, project.id);
      const gold = await findLatestLabelsOfKind(sql, project.id, 'GOLD');
      const cons = await findConsensusLabels(sql, project.id);
      const quality = await findAnnotatorQualities(sql, project.id);
      const mix = await findAnnotatorLabelMix(sql, project.id, DRIFT_DAYS);

      const stats = annotatorStatistics(human, cons, gold);
      const drift = labelDrift(mix, project.classes);
      // Pairs may name annotators of other kinds than HUMAN and TOOL: their names in one query.
      const names = new Map(ann.map((a) => [a.id, a.name]));
      const unnamed = [...new Set(stats.kappa.flatMap((x) => [x.a, x.b]))].filter((id) => !names.has(id));
      for (const [id, name] of await findAnnotatorNames(sql, project.id, unnamed)) names.set(id, name);
      const nameOf = (id: string): string => names.get(id) ?? id;
      const kappa = stats.kappa.map((x) => ({ ...x, a: nameOf(x.a), b: nameOf(x.b) }));
      const annotators: AnnotatorStatView[] = ann.map((a) => {
        const s = stats.byAnnotator.get(a.id);
        return {
          annotatorId: a.id,
          name: a.name,
          kind: a.kind,
          annotations: a.total,
          last24h: a.d1,
          last7d: a.d7,
          perHour24h: a.d1 / 24,
          perHour7d: a.d7 / (24 * 7),
          itemsLabeled: s ? s.itemsLabeled : 0,
          agreementWithConsensus: s ? s.agreementWithConsensus : null,
          quality: quality.get(a.id) ?? null,
          goldN: s ? s.goldN : 0,
          goldAccuracy: s ? s.goldAccuracy : null,
          goldLower: s ? s.goldLower : null,
          goldUpper: s ? s.goldUpper : null,
          labelDrift: drift.get(a.id) ?? noDrift(),
        };
      });
      return { projectId: project.id, annotators, kappa, meanKappa: stats.meanKappa, consensusSource: stats.consensusSource };
    });
  }

  /**
   * Agreement among annotators over the HUMAN annotations made in [from, to) (latest per item × annotator); see
   * {@link agreementSummary}: Cohen's kappa (mean over pairs sharing items), Fleiss' kappa (items with the modal number
   * of raters), Krippendorff's alpha (nominal). Undefined values (no pairable item, no variation) are null.
   */
  async agreement(p: Principal, projectId: string, from: Date, to: Date): Promise<AgreementView> {
    checkDate(from, 'from');
    checkDate(to, 'to');
    if (!(from.getTime() < to.getTime())) throw badInput('to', 'must be after from');
    const project = await this.projects.access(p, projectId, 'consensus:read');
    return this.cache.get(project.id, 'agreement', [from.toISOString(), to.toISOString()], () => this.computeAgreement(project, from, to));
  }

  private async computeAgreement(project: ProjectView, from: Date, to: Date): Promise<AgreementView> {
    const human = await this.db.read((sql) => loadHuman(sql, project.id, { from, to }));
    return { projectId: project.id, from, to, ...agreementSummary(human, project.classes.length) };
  }
}
