import { registerEnumType } from 'type-graphql';

export enum RoleEnum {
  ADMIN = 'ADMIN',
  ML_ENGINEER = 'ML_ENGINEER',
  QA_LEAD = 'QA_LEAD',
  MANAGER = 'MANAGER',
  LABELING_TOOL = 'LABELING_TOOL',
}
export enum TaskTypeEnum {
  MULTICLASS = 'MULTICLASS',
}
export enum AnnotatorKindEnum {
  HUMAN = 'HUMAN',
  TOOL = 'TOOL',
  MODEL = 'MODEL',
  LABELING_FUNCTION = 'LABELING_FUNCTION',
}
export enum AnnotationKindEnum {
  HUMAN = 'HUMAN',
  MODEL = 'MODEL',
  WEAK = 'WEAK',
  GOLD = 'GOLD',
  REVIEW = 'REVIEW',
  RETRACTION = 'RETRACTION',
}
export enum LabelSourceEnum {
  MAJORITY_VOTE = 'MAJORITY_VOTE',
  REVIEW = 'REVIEW',
}

registerEnumType(RoleEnum, { name: 'Role', description: 'What an API key may do (see the README role matrix).' });
registerEnumType(TaskTypeEnum, { name: 'TaskType' });
registerEnumType(AnnotatorKindEnum, { name: 'AnnotatorKind' });
registerEnumType(AnnotationKindEnum, {
  name: 'AnnotationKind',
  description:
    "HUMAN and GOLD vote for the label, REVIEW decides it; MODEL and WEAK are predictions, never labels. Per item, each annotator's latest HUMAN or GOLD annotation is its one vote. RETRACTION withdraws an earlier annotation (written by retractAnnotations, not accepted by submitAnnotations).",
});
registerEnumType(LabelSourceEnum, { name: 'LabelSource' });
