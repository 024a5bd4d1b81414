import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { AnnotationKindEnum, AnnotatorKindEnum } from './enums';

@ObjectType('Annotator')
export class AnnotatorType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field(() => AnnotatorKindEnum) kind: AnnotatorKindEnum;
  @Field() createdAt: Date;
}

@ObjectType('Annotation', { description: 'An immutable labeling event.' })
export class AnnotationType {
  @Field(() => ID) id: string;
  @Field(() => ID) itemId: string;
  @Field(() => AnnotatorType) annotator: AnnotatorType;
  @Field() label: string;
  @Field(() => AnnotationKindEnum) kind: AnnotationKindEnum;
  @Field(() => Float, { nullable: true }) confidence: number | null;
  @Field(() => Int, { nullable: true }) durationMs: number | null;
  @Field(() => String, { nullable: true }) guidelineVersion: string | null;
  @Field(() => String, { nullable: true }) clientMutationId: string | null;
  @Field(() => ID, { nullable: true, description: 'The API key that wrote it.' }) apiKeyId: string | null;
  @Field({
    description:
      "Whether it is what its annotator says about the item now: false once the annotator wrote a later annotation of the same kind (HUMAN and GOLD count as one) or it was retracted. Always false for a RETRACTION.",
  })
  current: boolean;
  @Field(() => ID, { nullable: true, description: 'For a RETRACTION: the annotation it withdraws.' }) retracts: string | null;
  @Field() createdAt: Date;
}

@InputType()
export class AnnotationInput {
  @Field(() => ID, { nullable: true, description: 'The item, by id (or give externalId).' }) itemId?: string | null;
  @Field(() => String, { nullable: true }) externalId?: string | null;
  @Field({ description: 'Annotator name, created on first use.' }) annotator: string;
  @Field(() => AnnotatorKindEnum, { nullable: true, description: 'Kind of a newly created annotator (default from the annotation kind).' })
  annotatorKind?: AnnotatorKindEnum | null;
  @Field({ description: "One of the project's classes." }) label: string;
  @Field(() => AnnotationKindEnum, { nullable: true, defaultValue: AnnotationKindEnum.HUMAN }) kind?: AnnotationKindEnum | null;
  @Field(() => Float, { nullable: true }) confidence?: number | null;
  @Field(() => Int, { nullable: true }) durationMs?: number | null;
  @Field(() => String, { nullable: true, description: "Default: the project's current guideline version." }) guidelineVersion?: string | null;
  @Field(() => String, { nullable: true, description: 'Idempotency key, unique per project: a re-send returns the stored annotation.' })
  clientMutationId?: string | null;
}

@ObjectType('SubmittedAnnotation')
export class SubmittedAnnotationType {
  @Field(() => Int, { description: 'Position in the input.' }) index: number;
  @Field({ description: 'True when this clientMutationId was already stored: nothing was written.' }) duplicate: boolean;
  @Field(() => AnnotationType) annotation: AnnotationType;
}

@ObjectType('SubmitAnnotationsResult')
export class SubmitAnnotationsResultType {
  @Field(() => Int) inserted: number;
  @Field(() => Int) duplicates: number;
  @Field(() => [SubmittedAnnotationType]) results: SubmittedAnnotationType[];
}

@ObjectType('RetractAnnotationsResult')
export class RetractAnnotationsResultType {
  @Field(() => Int, { description: 'RETRACTION annotations written by this call.' }) retracted: number;
  @Field(() => Int, { description: 'Ids already retracted before: nothing written for them.' }) unchanged: number;
  @Field(() => [AnnotationType], { description: 'The RETRACTION of each id, in input order (the stored one for ids already retracted).' })
  retractions: AnnotationType[];
}
