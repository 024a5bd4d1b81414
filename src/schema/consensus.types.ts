import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';

@ObjectType('ConsensusMethodReport', { description: "One aggregation method's result in the last consensus run, with its accuracy on gold items." })
export class ConsensusMethodReportType {
  @Field({ description: 'MAJORITY_VOTE, DAWID_SKENE, CROWDLAB or LABEL_MODEL.' }) method: string;
  @Field({ description: 'HUMAN: aggregates human annotations; WEAK: fuses labeling-function votes on items without a human label.' }) scope: string;
  @Field(() => Int, { description: 'Items it labeled.' }) items: number;
  @Field(() => Int, { description: 'Gold items among them.' }) goldN: number;
  @Field(() => Int) goldCorrect: number;
  @Field(() => Float, { nullable: true, description: 'Accuracy on those gold items (null without gold).' }) goldAccuracy: number | null;
  @Field({ description: 'Whether its labels are the consensus of its scope (the most accurate on gold; majority vote on ties and without gold).' }) used: boolean;
  @Field(() => String, { nullable: true, description: 'Why it did not run.' }) note: string | null;
}

@ObjectType('MethodItemCount')
export class MethodItemCountType {
  @Field() method: string;
  @Field(() => Int) items: number;
}

@ObjectType('ConsensusSummary', { description: 'The last consensus run: the method used, and majority vote beside every model-based aggregate.' })
export class ConsensusSummaryType {
  @Field(() => ID) projectId: string;
  @Field(() => ID, { nullable: true }) runId: string | null;
  @Field({ description: 'Method used for items with human annotations.' }) method: string;
  @Field(() => String, { nullable: true, description: 'Method used for items with labeling-function votes only.' }) weakMethod: string | null;
  @Field(() => Int) goldItems: number;
  @Field(() => Float, { nullable: true, description: "Majority vote's accuracy on gold items (human scope)." }) majorityVoteGoldAccuracy: number | null;
  @Field(() => [ConsensusMethodReportType]) methods: ConsensusMethodReportType[];
  @Field(() => [MethodItemCountType], { description: 'Items per deciding method (GOLD and REVIEW decide outright).' }) itemsByMethod: MethodItemCountType[];
  @Field() updatedAt: Date;
}

@ObjectType('LabelShare')
export class LabelShareType {
  @Field() label: string;
  @Field(() => Float) share: number;
}

@ObjectType('LabelDrift', { description: "An annotator's HUMAN label mix in the last 7 days against the one before." })
export class LabelDriftType {
  @Field(() => Float, { nullable: true, description: 'Jensen–Shannon distance (base 2, 0..1); null when either period is empty.' }) jsDistance: number | null;
  @Field(() => Int) recent: number;
  @Field(() => Int) before: number;
  @Field(() => [LabelShareType]) recentShares: LabelShareType[];
}

@ObjectType('AnnotatorStat')
export class AnnotatorStatType {
  @Field(() => ID) annotatorId: string;
  @Field() name: string;
  @Field() kind: string;
  @Field(() => Int, { description: 'Annotations of any kind.' }) annotations: number;
  @Field(() => Int) last24h: number;
  @Field(() => Int) last7d: number;
  @Field(() => Float, { description: 'Annotations per hour over the last 24 hours.' }) perHour24h: number;
  @Field(() => Float, { description: 'Annotations per hour over the last 7 days.' }) perHour7d: number;
  @Field(() => Int, { description: 'Items it labeled (HUMAN).' }) itemsLabeled: number;
  @Field(() => Float, { nullable: true }) agreementWithConsensus: number | null;
  @Field(() => Float, { nullable: true, description: "The consensus job's quality estimate (null before it ran)." }) quality: number | null;
  @Field(() => Int, { description: 'Gold items it labeled.' }) goldN: number;
  @Field(() => Float, { nullable: true }) goldAccuracy: number | null;
  @Field(() => Float, { nullable: true, description: 'Lower end of the 95 % Wilson interval of goldAccuracy.' }) goldLower: number | null;
  @Field(() => Float, { nullable: true, description: 'Upper end of the 95 % Wilson interval of goldAccuracy.' }) goldUpper: number | null;
  @Field(() => LabelDriftType) labelDrift: LabelDriftType;
}

@ObjectType('KappaPair', { description: "Cohen's kappa of two annotators over the items both labeled." })
export class KappaPairType {
  @Field() a: string;
  @Field() b: string;
  @Field(() => Float, { nullable: true, description: 'null when undefined (e.g. both gave one and the same class to every shared item).' }) kappa: number | null;
  @Field(() => Int) sharedItems: number;
}

@ObjectType('AnnotatorStatsReport', { description: 'Per-annotator quality and throughput, and pairwise agreement (annotatorStats).' })
export class AnnotatorStatsType {
  @Field(() => ID) projectId: string;
  @Field(() => [AnnotatorStatType]) annotators: AnnotatorStatType[];
  @Field(() => [KappaPairType], { description: 'Every pair of annotators sharing at least one item.' }) kappa: KappaPairType[];
  @Field(() => Float, { nullable: true }) meanKappa: number | null;
  @Field({ description: "ITEM_CONSENSUS (the consensus job's labels) or MAJORITY_VOTE (live, before the job ran)." }) consensusSource: string;
}

@ObjectType('Agreement', { description: 'Inter-annotator agreement over the HUMAN annotations of a time window.' })
export class AgreementType {
  @Field(() => ID) projectId: string;
  @Field() from: Date;
  @Field() to: Date;
  @Field(() => Int) annotations: number;
  @Field(() => Int) items: number;
  @Field(() => Int) annotators: number;
  @Field(() => Float, { nullable: true, description: "Mean Cohen's kappa over the annotator pairs sharing items." }) cohenKappaMean: number | null;
  @Field(() => Int) cohenPairs: number;
  @Field(() => Float, { nullable: true, description: "Fleiss' kappa over the items rated by the modal number of raters (fleissRaters)." }) fleissKappa: number | null;
  @Field(() => Int, { nullable: true }) fleissRaters: number | null;
  @Field(() => Int) fleissItems: number;
  @Field(() => Float, { nullable: true, description: "Krippendorff's alpha (nominal) over every item with ≥ 2 labels." }) krippendorffAlpha: number | null;
  @Field(() => Int) pairableItems: number;
}

@InputType()
export class GoldItemInput {
  @Field(() => ID, { nullable: true, description: 'The item, by id (or give externalId).' }) itemId?: string | null;
  @Field(() => String, { nullable: true }) externalId?: string | null;
  @Field({ description: 'The known answer: one of the project classes.' }) label: string;
}

@ObjectType('AddGoldItemsResult')
export class AddGoldItemsResultType {
  @Field(() => Int, { description: 'GOLD annotations written.' }) added: number;
  @Field(() => Int, { description: 'Items of the call that wrote nothing: already gold with this answer, or named twice with the same answer.' })
  unchanged: number;
  @Field(() => [ID], { description: 'Item ids in input order.' }) itemIds: string[];
}

@ObjectType('LabelingFunction')
export class LabelingFunctionType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field() createdAt: Date;
}

@InputType()
export class WeakVoteInput {
  @Field(() => ID, { nullable: true, description: 'The item, by id (or give externalId).' }) itemId?: string | null;
  @Field(() => String, { nullable: true }) externalId?: string | null;
  @Field(() => String, { nullable: true, description: 'A project class, or null to abstain.' }) label?: string | null;
}

@ObjectType('SubmitWeakLabelsResult')
export class SubmitWeakLabelsResultType {
  @Field(() => Int) votes: number;
  @Field(() => Int) labeled: number;
  @Field(() => Int) abstains: number;
  @Field(() => Int, { description: 'Votes that differ from the stored ones (the others wrote nothing).' }) changed: number;
}

@ObjectType('LfSummaryRow')
export class LfSummaryRowType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field(() => [String], { description: 'Classes it votes for.' }) polarity: string[];
  @Field(() => Int) votes: number;
  @Field(() => Float) coverage: number;
  @Field(() => Float) overlaps: number;
  @Field(() => Float) conflicts: number;
  @Field(() => Int, { description: 'Votes equal to the reference label (gold, else the human label).' }) correct: number;
  @Field(() => Int) incorrect: number;
  @Field(() => Float, { nullable: true, description: 'correct / (correct + incorrect); null without votes on referenced items.' }) empiricalAccuracy: number | null;
  @Field(() => Float, { nullable: true, description: "The label model's estimate of its accuracy (no gold used)." }) labelModelAccuracy: number | null;
}

@ObjectType('LfSummary')
export class LfSummaryType {
  @Field(() => ID) projectId: string;
  @Field(() => Int, { description: 'Items some labeling function was applied to (abstains count).' }) items: number;
  @Field(() => Int, { description: 'Of those, items with a reference label (gold or human).' }) referenceItems: number;
  @Field(() => Int) goldItems: number;
  @Field(() => [LfSummaryRowType]) lfs: LfSummaryRowType[];
}
