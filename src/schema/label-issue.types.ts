import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ItemType, PageInfoType } from './item.types';

export enum LabelIssueStatusEnum {
  OPEN = 'OPEN',
  RESOLVED = 'RESOLVED',
}
registerEnumType(LabelIssueStatusEnum, { name: 'LabelIssueStatus', description: 'OPEN: waiting for a reviewer; RESOLVED: decided by one.' });

export enum LabelIssueDecisionEnum {
  ACCEPT_SUGGESTION = 'ACCEPT_SUGGESTION',
  KEEP_GIVEN = 'KEEP_GIVEN',
  RELABEL = 'RELABEL',
  NOT_SURE = 'NOT_SURE',
}
registerEnumType(LabelIssueDecisionEnum, {
  name: 'LabelIssueDecision',
  description:
    'ACCEPT_SUGGESTION, KEEP_GIVEN and RELABEL write a REVIEW annotation that decides the label; NOT_SURE writes none and routes the item to EXPERT.',
});

export enum LabelIssueRouteEnum {
  EXPERT = 'EXPERT',
}
registerEnumType(LabelIssueRouteEnum, { name: 'LabelIssueRoute' });

@ObjectType('LabelIssue', { description: "An item whose label the out-of-sample model doubts, and its review." })
export class LabelIssueType {
  @Field(() => ID) id: string;
  @Field(() => ID) projectId: string;
  @Field(() => ID) itemId: string;
  @Field(() => ItemType, { description: 'The item, with its annotations (history) and current label.' }) item: ItemType;
  @Field(() => ID, { nullable: true, description: 'The model version whose predictions flagged it.' }) modelVersionId: string | null;
  @Field({ description: "The item's label when it was flagged." }) givenLabel: string;
  @Field({ description: "The model's most probable class (the runner-up where that is the given label)." }) suggestedLabel: string;
  @Field(() => Float, { description: 'Label quality score of the given label in [0, 1]; lower = more likely wrong.' }) score: number;
  @Field({ description: 'How it was found: findLabelIssues filterBy, e.g. prune_by_noise_rate.' }) method: string;
  @Field({ description: 'How score was computed: getLabelQualityScores method, e.g. self_confidence.' }) scoreMethod: string;
  @Field(() => LabelIssueStatusEnum) status: LabelIssueStatusEnum;
  @Field(() => LabelIssueDecisionEnum, { nullable: true }) decision: LabelIssueDecisionEnum | null;
  @Field(() => String, { nullable: true, description: 'The label the review wrote (null for NOT_SURE).' }) resolvedLabel: string | null;
  @Field(() => String, { nullable: true }) note: string | null;
  @Field(() => LabelIssueRouteEnum, { nullable: true, description: 'EXPERT after NOT_SURE.' }) route: LabelIssueRouteEnum | null;
  @Field(() => ID, { nullable: true, description: 'The REVIEW annotation the resolution wrote.' }) reviewAnnotationId: string | null;
  @Field(() => ID, { nullable: true, description: 'The API key that resolved it.' }) resolvedBy: string | null;
  @Field(() => Date, { nullable: true }) resolvedAt: Date | null;
  @Field(() => ID, { nullable: true, description: 'The resolved issue this one re-opens.' }) reopenedFrom: string | null;
  @Field(() => ID, { nullable: true, description: 'The job run that last wrote it.' }) runId: string | null;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;
}

@ObjectType('LabelIssueEdge')
export class LabelIssueEdgeType {
  @Field() cursor: string;
  @Field(() => LabelIssueType) node: LabelIssueType;
}

@ObjectType('LabelIssueConnection')
export class LabelIssueConnectionType {
  @Field(() => ID, { nullable: true, description: 'The model version the current issue set came from (the last labelIssues run scored it); null before any run.' })
  modelVersionId: string | null;
  @Field(() => [LabelIssueEdgeType]) edges: LabelIssueEdgeType[];
  @Field(() => PageInfoType) pageInfo: PageInfoType;
  @Field(() => Int) totalCount: number;
}

@ObjectType('ClassLabelHealth', { description: "One class's label quality (cleanlab rank_classes_by_label_quality)." })
export class ClassLabelHealthType {
  @Field() label: string;
  @Field(() => Int, { description: 'Items given this label that should have another.' }) labelIssues: number;
  @Field(() => Int, { description: 'Items of this class given another label.' }) inverseLabelIssues: number;
  @Field(() => Float, { description: 'p(true ≠ k | given = k).' }) labelNoise: number;
  @Field(() => Float, { description: 'p(given ≠ k | true = k).' }) inverseLabelNoise: number;
  @Field(() => Float, { description: '1 − labelNoise; higher is better.' }) labelQualityScore: number;
}

@ObjectType('OverlappingClasses', { description: 'A pair of classes often confused (cleanlab find_overlapping_classes).' })
export class OverlappingClassesType {
  @Field() classA: string;
  @Field() classB: string;
  @Field(() => Int) numOverlapping: number;
  @Field(() => Float) jointProbability: number;
}

@ObjectType('LabelHealth', { description: "cleanlab's health summary of the labels under one model version's predictions (by default the version the label issues came from)." })
export class LabelHealthType {
  @Field(() => ID, { nullable: true }) modelVersionId: string | null;
  @Field(() => Int, { description: 'Labeled items that model version predicted.' }) labeledCount: number;
  @Field(() => Int) openIssues: number;
  @Field(() => Int) resolvedIssues: number;
  @Field(() => Float, { nullable: true, description: '1 − estimated share of wrong labels; null without predictions.' })
  overallLabelHealthScore: number | null;
  @Field(() => [ClassLabelHealthType], { description: 'Worst class first.' }) classes: ClassLabelHealthType[];
  @Field(() => [OverlappingClassesType], { description: 'Most overlapping pair first.' }) overlappingClasses: OverlappingClassesType[];
  @Field(() => [[Float]], { nullable: true, description: "Estimated p(given = row, true = column) over the model version's classes." })
  joint: number[][] | null;
}
