import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Principal } from '../services/auth.service';
import type { LabelStudioConnectorView } from '../services/label-studio-connector.service';
import type { Context } from './context';
import { LabelStudioConnectorType } from './label-studio.types';
import { CurrentPrincipal } from './principal';

@Resolver(() => LabelStudioConnectorType)
export class LabelStudioResolver {
  @Mutation(() => LabelStudioConnectorType, { description: 'A new Label Studio connector for the project (ADMIN, ML_ENGINEER); its url is shown only here.' })
  createLabelStudioConnector(@Arg('projectId', () => ID) projectId: string, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.labelStudioConnectors.create(p, projectId, ctx.publicBaseUrl);
  }

  @Mutation(() => LabelStudioConnectorType, { description: 'Revokes a Label Studio connector: its URL answers 401 from now on.' })
  revokeLabelStudioConnector(@Arg('id', () => ID) id: string, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.labelStudioConnectors.revoke(p, id);
  }

  @Query(() => [LabelStudioConnectorType], { description: "The project's Label Studio connectors, oldest first, without their secrets." })
  labelStudioConnectors(@Arg('projectId', () => ID) projectId: string, @CurrentPrincipal() p: Principal, @Ctx() ctx: Context) {
    return ctx.services.labelStudioConnectors.list(p, projectId);
  }

  @FieldResolver(() => String, { nullable: true })
  fromName(@Root() c: LabelStudioConnectorView) {
    return c.config?.fromName ?? null;
  }

  @FieldResolver(() => String, { nullable: true })
  toName(@Root() c: LabelStudioConnectorView) {
    return c.config?.toName ?? null;
  }

  @FieldResolver(() => String, { nullable: true })
  dataKey(@Root() c: LabelStudioConnectorView) {
    return c.config?.dataKey ?? null;
  }
}
