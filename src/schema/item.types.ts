import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { LabelSourceEnum } from './enums';

@ObjectType('CurrentLabel', { description: "An item's label derived from its annotations." })
export class CurrentLabelType {
  @Field() label: string;
  @Field(() => Float, { description: 'Share of HUMAN and GOLD votes for this label (1 when a REVIEW decided it).' }) voteShare: number;
  @Field(() => Int, { description: "Number of HUMAN and GOLD votes: one per annotator, its latest (retracted ones left out)." }) votes: number;
  @Field(() => LabelSourceEnum) source: LabelSourceEnum;
}

@ObjectType('Item')
export class ItemType {
  @Field(() => ID) id: string;
  @Field(() => ID) projectId: string;
  @Field() externalId: string;
  @Field(() => String, { nullable: true }) text: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true }) data: Record<string, unknown> | null;
  @Field(() => [Float], { nullable: true }) embedding: number[] | null;
  @Field() createdAt: Date;
  @Field({ description: "When its text, data or embedding last changed (annotations do not change it)." }) updatedAt: Date;
  @Field(() => CurrentLabelType, { nullable: true }) currentLabel: CurrentLabelType | null;
}

@InputType()
export class ItemInput {
  @Field({ description: 'Unique per project: importing the same externalId again updates the item.' }) externalId: string;
  @Field(() => String, { nullable: true }) text?: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true }) data?: Record<string, unknown> | null;
  @Field(() => [Float], { nullable: true, description: "The project's embeddingDim numbers." }) embedding?: number[] | null;
  @Field(() => String, { nullable: true, description: 'The embedding as base64 of little-endian float32 (for bulk imports).' })
  embeddingBase64?: string | null;
}

@ObjectType('ImportItemsResult')
export class ImportItemsResultType {
  @Field(() => Int) inserted: number;
  @Field(() => Int) updated: number;
  @Field(() => [ID], { description: 'Item ids in input order.' }) ids: string[];
  @Field(() => Int, {
    description:
      "Items of this call that have no embedding (neither sent nor stored before) in a project with an embeddingDim: they are left out of embedding-based selection and drift. 0 in a project without embeddingDim. With settings.requireEmbedding such a call is refused.",
  })
  withoutEmbedding: number;
}

@InputType()
export class ItemFilter {
  @Field(() => Boolean, { nullable: true }) labeled?: boolean | null;
  @Field(() => String, { nullable: true, description: 'Items whose current label is this class.' }) label?: string | null;
  @Field(() => String, { nullable: true, description: 'Items annotated by this annotator (any kind).' }) annotator?: string | null;
  @Field(() => String, { nullable: true, description: 'The item with this externalId (exact match).' }) externalId?: string | null;
  @Field(() => Date, { nullable: true }) createdAfter?: Date | null;
  @Field(() => Date, { nullable: true }) createdBefore?: Date | null;
}

@ObjectType('ItemEdge')
export class ItemEdgeType {
  @Field() cursor: string;
  @Field(() => ItemType) node: ItemType;
}

@ObjectType('PageInfo')
export class PageInfoType {
  @Field() hasNextPage: boolean;
  @Field(() => String, { nullable: true }) endCursor: string | null;
}

@ObjectType('ItemConnection')
export class ItemConnectionType {
  @Field(() => [ItemEdgeType]) edges: ItemEdgeType[];
  @Field(() => PageInfoType) pageInfo: PageInfoType;
  @Field(() => Int) totalCount: number;
}
