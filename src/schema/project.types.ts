import { MAX_NAME } from '../services/names';
import { IsOptional } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { TaskTypeEnum } from './enums';
import { MAX_CLASSES, MAX_EMBEDDING_DIM, MIN_CLASSES } from '../services/project.service';
import { Chars, Entries, IntIn } from './input-rules';

@ObjectType('Project')
export class ProjectType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field(() => [String], { description: 'Class names in order. Labels are class names at the API.' }) classes: string[];
  @Field(() => TaskTypeEnum) taskType: TaskTypeEnum;
  @Field(() => Int, { nullable: true, description: 'Length of item embeddings; null = items use the built-in text featurizer.' })
  embeddingDim: number | null;
  @Field(() => GraphQLJSONObject, {
    name: 'settings',
    description: 'The effective settings: what is stored, with the default of every key it leaves out (see the README settings table).',
  })
  effectiveSettings: Record<string, unknown>;
  @Field() guidelineVersion: string;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;
}

@InputType()
export class CreateProjectInput {
  @Field() @Chars(1, MAX_NAME) name: string;
  @Field(() => [String], { description: `${MIN_CLASSES}–${MAX_CLASSES} class names of 1–${MAX_NAME} characters.` }) @Entries(MIN_CLASSES, MAX_CLASSES) classes: string[];
  @Field(() => TaskTypeEnum, { nullable: true }) taskType?: TaskTypeEnum;
  @Field(() => Int, { nullable: true }) @IsOptional() @IntIn(1, MAX_EMBEDDING_DIM) embeddingDim?: number;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Project settings (see the README settings table); keys left out take their defaults.' })
  settings?: Record<string, unknown>;
  @Field({ nullable: true }) @IsOptional() @Chars(1, MAX_NAME) guidelineVersion?: string;
}

@InputType()
export class UpdateProjectInput {
  @Field({ nullable: true }) @IsOptional() @Chars(1, MAX_NAME) name?: string;
  @Field(() => [String], { nullable: true, description: 'The current classes in order, optionally followed by new ones.' })
  @IsOptional() @Entries(MIN_CLASSES, MAX_CLASSES)
  classes?: string[];
  @Field(() => Int, { nullable: true }) @IsOptional() @IntIn(1, MAX_EMBEDDING_DIM) embeddingDim?: number;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'A JSON merge patch (RFC 7386) on the stored settings: objects merge key by key, null removes a key (its default applies), anything else replaces. The result is validated as a whole.' }) settings?: Record<string, unknown>;
  @Field({ nullable: true }) @IsOptional() @Chars(1, MAX_NAME) guidelineVersion?: string;
}
