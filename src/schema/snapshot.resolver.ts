import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Principal } from '../services/auth.service';
import type { Context } from './context';
import { CurrentPrincipal } from './principal';
import { pageCost } from './costs';
import { AuditLogEntryType, DeleteItemsResultType, SnapshotDiffType, SnapshotType } from './snapshot.types';

@Resolver()
export class SnapshotResolver {
  @Mutation(() => SnapshotType, {
    description: "Freezes every item's current label with its lineage and a content hash. Export: GET /export/<id>.jsonl or .csv.",
  })
  createSnapshot(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('note', () => String, { nullable: true }) note: string | null,
    @CurrentPrincipal() p: Principal,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.snapshots.createSnapshot(p, projectId, note);
  }

  @Query(() => [SnapshotType], { description: 'Snapshots of a project, newest first.' })
  snapshots(@Arg('projectId', () => ID) projectId: string, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.snapshots.snapshots(p, projectId);
  }

  @Query(() => SnapshotDiffType, {
    description: 'Items added, removed and relabeled from snapshot a to snapshot b (same project); each list holds at most `first`.',
    complexity: pageCost('snapshotDiff'),
  })
  snapshotDiff(
    @Arg('a', () => ID) a: string,
    @Arg('b', () => ID) b: string,
    @Arg('first', () => Int, { defaultValue: 1000 }) first: number,
    @CurrentPrincipal() p: Principal,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.snapshots.snapshotDiff(p, a, b, first);
  }

  @Mutation(() => DeleteItemsResultType, {
    description: 'Deletes items with their annotations in one transaction (ADMIN) and records it in the audit log; snapshots keep their rows.',
  })
  deleteItems(@Arg('projectId', () => ID) projectId: string, @Arg('ids', () => [ID]) ids: string[], @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.deletion.deleteItems(p, projectId, ids);
  }

  @Query(() => [AuditLogEntryType], { description: "The project's audit log, newest first (ADMIN)." })
  auditLog(
    @Arg('projectId', () => ID) projectId: string,
    @Arg('first', () => Int, { defaultValue: 100 }) first: number,
    @CurrentPrincipal() p: Principal,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.deletion.auditLog(p, projectId, first);
  }
}
