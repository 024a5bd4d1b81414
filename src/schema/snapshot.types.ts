import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType('Snapshot', { description: 'An immutable dataset version: every item\'s label at a moment, with lineage.' })
export class SnapshotType {
  @Field(() => ID) id: string;
  @Field(() => ID) projectId: string;
  @Field(() => String, { nullable: true }) note: string | null;
  @Field(() => ID, { nullable: true, description: 'The API key that created it.' }) createdBy: string | null;
  @Field() createdAt: Date;
  @Field({ description: 'SHA-256 (hex) of the JSONL export: `sha256sum <id>.jsonl` gives the same. Equal data, equal hash.' })
  contentHash: string;
  @Field(() => Int) itemCount: number;
}

@ObjectType('SnapshotDiffItem')
export class SnapshotDiffItemType {
  @Field() externalId: string;
  @Field(() => ID) itemId: string;
  @Field(() => String, { nullable: true, description: 'The label in snapshot a (null: unlabeled, or not in a).' }) oldLabel: string | null;
  @Field(() => String, { nullable: true, description: 'The label in snapshot b (null: unlabeled, or not in b).' }) newLabel: string | null;
}

@ObjectType('SnapshotDiff', { description: 'From snapshot a to snapshot b, by externalId.' })
export class SnapshotDiffType {
  @Field(() => SnapshotType) a: SnapshotType;
  @Field(() => SnapshotType) b: SnapshotType;
  @Field(() => Int) addedCount: number;
  @Field(() => Int) removedCount: number;
  @Field(() => Int, { description: 'Items in both whose label differs.' }) changedCount: number;
  @Field(() => Int) unchangedCount: number;
  @Field(() => [SnapshotDiffItemType], { description: 'In b, not in a (at most `first`, by externalId).' }) added: SnapshotDiffItemType[];
  @Field(() => [SnapshotDiffItemType], { description: 'In a, not in b.' }) removed: SnapshotDiffItemType[];
  @Field(() => [SnapshotDiffItemType], { description: 'In both, with another label.' }) changed: SnapshotDiffItemType[];
}

@ObjectType('DeleteItemsResult')
export class DeleteItemsResultType {
  @Field(() => Int) deleted: number;
  @Field(() => Int, { description: 'Annotations deleted with the items.' }) annotationsDeleted: number;
  @Field(() => ID, { description: 'The audit log entry recording who deleted what, and when.' }) auditLogId: string;
  @Field() deletedAt: Date;
}

@ObjectType('AuditLogEntry')
export class AuditLogEntryType {
  @Field(() => ID) id: string;
  @Field(() => ID, { nullable: true }) projectId: string | null;
  @Field(() => ID, { nullable: true, description: 'The API key that acted.' }) actorKeyId: string | null;
  @Field() action: string;
  @Field(() => GraphQLJSONObject) details: Record<string, unknown>;
  @Field() createdAt: Date;
}
