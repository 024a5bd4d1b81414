import type { ApolloServerPlugin } from '@apollo/server';
import { observeGraphql } from './registry';

/** Apollo plugin: observes every GraphQL request's duration by operation type and outcome. */
export function graphqlMetricsPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      const t0 = process.hrtime.bigint();
      return {
        async willSendResponse(rc) {
          const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
          const body = rc.response.body;
          const failed = (rc.errors?.length ?? 0) > 0 || (body.kind === 'single' && (body.singleResult.errors?.length ?? 0) > 0);
          observeGraphql(rc.operation?.operation ?? 'unknown', failed ? 'error' : 'ok', seconds);
        },
      };
    },
  };
}
