import { ArrayMaxSize, ArrayMinSize, IsInt, IsOptional, Max, MaxLength, Min, MinLength } from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { TaskTypeEnum } from './enums';

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
  @Field() @MinLength(1) @MaxLength(200) name: string;
  @Field(() => [String]) @ArrayMinSize(2) @ArrayMaxSize(1000) classes: string[];
  @Field(() => TaskTypeEnum, { nullable: true }) taskType?: TaskTypeEnum;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(1) @Max(65536) embeddingDim?: number;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Project settings (see the README settings table); keys left out take their defaults.' })
  settings?: Record<string, unknown>;
  @Field({ nullable: true }) @IsOptional() @MaxLength(100) guidelineVersion?: string;
}

@InputType()
export class UpdateProjectInput {
  @Field({ nullable: true }) @IsOptional() @MinLength(1) @MaxLength(200) name?: string;
  @Field(() => [String], { nullable: true, description: 'The current classes in order, optionally followed by new ones.' })
  classes?: string[];
  @Field(() => Int, { nullable: true }) embeddingDim?: number;
  @Field(() => GraphQLJSONObject, { nullable: true, description: 'A JSON merge patch (RFC 7386) on the stored settings: objects merge key by key, null removes a key (its default applies), anything else replaces. The result is validated as a whole.' }) settings?: Record<string, unknown>;
  @Field({ nullable: true }) @IsOptional() @MaxLength(100) guidelineVersion?: string;
}
