import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { NextFunction, Request, Response } from 'express';
import { getNamedType, GraphQLError, GraphQLSchema, isInputObjectType, isListType, isNonNullType, OperationDefinitionNode, typeFromAST } from 'graphql';
import { getComplexity, fieldExtensionsEstimator, simpleEstimator } from 'graphql-query-complexity';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type { Config } from './config';
import { log } from './logger';
import { HttpDrain } from './http/drain';
import { exportSnapshotHandler } from './http/export';
import { graphiqlAssets, graphiqlPage } from './http/graphiql';
import { healthHandler, readyHandler } from './http/health';
import { labelStudioRouter } from './http/label-studio/router';
import { gatePrincipal, graphqlGate } from './http/graphql-gate';
import { metricsHandler } from './http/metrics-endpoint';
import { rateLimitMiddleware } from './http/rate-limit';
import { graphqlMetricsPlugin } from './metrics/http';
import type { LoupeMetrics } from './metrics/database-gauges';
import { Context, createContext } from './schema/context';
import { formatError } from './schema/errors';
import type { Services } from './services/services';

export interface RunningServer {
  httpServer: Server;
  url: string;
  port: number;
  /**
   * Stops accepting connections, answers new requests on open ones 503 SHUTTING_DOWN, lets running ones finish (up
   * to LOUPE_SHUTDOWN_GRACE_MS), closes every connection, then stops Apollo. Safe to call twice.
   */
  stop(): Promise<void>;
}

/**
 * Rejects operations whose estimated cost (list sizes from variables included) exceeds the limit.
 *
 * getComplexity coerces the operation's variables itself, a second time besides execution's. Variables that are lists
 * of input objects (the bulk inputs of importItems and submitAnnotations, up to 10,000 rows) are costed as empty
 * lists: no estimator reads them (costs come from page sizes such as `first`), the services bound their lengths, and
 * coercing them twice was a tenth of the server's CPU per 1,000-row batch. Execution still coerces them in full.
 */
function complexityPlugin(schema: GraphQLSchema, max: number): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation }) {
          let complexity: number;
          try {
            complexity = getComplexity({
              schema,
              query: document,
              operationName: request.operationName,
              variables: withoutBulkInputs(schema, operation, request.variables ?? {}),
              estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (e) {
            // Variables that do not coerce: execution refuses them itself (BAD_USER_INPUT naming the path) and runs
            // nothing, so there is nothing to cost. Rethrown here, they would be masked as internal errors.
            if (e instanceof GraphQLError) return;
            throw e;
          }
          if (complexity > max) {
            throw new GraphQLError(`query cost ${complexity} exceeds the limit of ${max}: ask for fewer items or fields`, {
              // A client error: 400, not the 500 Apollo gives errors thrown from this hook by default.
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}

/** The variables, with each list-of-input-objects value replaced by an empty list (see complexityPlugin). */
export function withoutBulkInputs(schema: GraphQLSchema, operation: OperationDefinitionNode | undefined, variables: Record<string, unknown>): Record<string, unknown> {
  let out = variables;
  for (const def of operation?.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    const type = typeFromAST(schema, def.type);
    if (!type || !Array.isArray(variables[name])) continue;
    const t = isNonNullType(type) ? type.ofType : type;
    if (isListType(t) && isInputObjectType(getNamedType(t))) {
      if (out === variables) out = { ...variables };
      out[name] = [];
    }
  }
  return out;
}

export async function startServer(config: Config, services: Services, schema: GraphQLSchema, metrics?: LoupeMetrics): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  // The client address (req.ip) for per-address limits: the socket's, or X-Forwarded-For's behind that many proxies.
  app.set('trust proxy', config.trustProxyHops);
  const rateLimit = rateLimitMiddleware(config, services.auth);
  const httpServer = createServer();
  const drain = new HttpDrain(httpServer);
  httpServer.on('request', drain.wrap(app));
  httpServer.keepAliveTimeout = config.keepAliveTimeoutMs;
  httpServer.headersTimeout = config.headersTimeoutMs;

  const apollo = new ApolloServer<Context>({
    schema,
    introspection: config.introspection,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    formatError,
    // Query depth, size and shape are checked before Apollo by graphqlGate (src/http/graphql-gate.ts); the parser
    // stops at the same token count here.
    parseOptions: { maxTokens: config.maxTokens },
    // Signals are handled by main.ts, which drains HTTP (stop() below), then jobs and the database. Apollo's own
    // handler would re-raise the signal once Apollo has stopped, killing the process before the rest has closed.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      complexityPlugin(schema, config.maxQueryComplexity),
      graphqlMetricsPlugin<Context>(),
    ],
  });
  await apollo.start();

  app.get('/healthz', healthHandler());
  app.get('/readyz', readyHandler(services.db));
  // Snapshot exports, streamed: GET /export/<snapshotId>.jsonl or .csv, same bearer-key auth and scope rules as GraphQL.
  app.get('/export/:file', rateLimit, exportSnapshotHandler(services));
  // Label Studio's ML-backend protocol: the connector's secret in the path authenticates it (src/http/label-studio).
  app.use('/label-studio/:secret', labelStudioRouter(services, { bodyLimitBytes: config.bodyLimitBytes }));
  // Prometheus metrics: text exposition, optional bearer token (LOUPE_METRICS_TOKEN).
  if (metrics) app.get('/metrics', metricsHandler(metrics, config.metricsToken));

  // GraphiQL (bundled from npm) for browsers on GET /graphql.
  if (config.landingPage) {
    app.use('/graphiql', graphiqlAssets());
    app.get('/graphql', graphiqlPage);
  }
  app.use(
    '/graphql',
    cors({ origin: config.corsOrigins.length ? config.corsOrigins : false }),
    rateLimit,
    express.json({ limit: config.bodyLimitBytes }),
    graphqlGate(services, {
      limits: {
        maxQueryBytes: config.maxQueryBytes,
        maxTokens: config.maxTokens,
        maxFields: config.maxFields,
        maxAliases: config.maxAliases,
        maxRootFields: config.maxRootFields,
        maxDepth: config.maxQueryDepth,
        onePerOperation: ['nextBatch', 'trainModel', 'runJob'],
      },
    }),
    expressMiddleware(apollo, {
      // The gate has authenticated the caller; requests it lets by unexamined (other methods) have no principal.
      context: async ({ req, res }) => createContext(gatePrincipal(res), services, config.publicUrl ?? `${req.protocol}://${req.get('host')}`),
    }),
  );

  // Body-parser and other transport errors: JSON, no stack.
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = err.status ?? 500;
    if (status >= 500) log.error('http error', { message: err.message });
    const message =
      err.type === 'entity.too.large'
        ? `request body exceeds the limit of ${config.bodyLimitBytes} bytes (LOUPE_BODY_LIMIT); send embeddings as base64 or split the batch`
        : status < 500
          ? err.message
          : 'Internal server error';
    res.status(status).json({ errors: [{ message, extensions: { code: status < 500 ? 'BAD_USER_INPUT' : 'INTERNAL_SERVER_ERROR' } }] });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}/graphql`;
  return {
    httpServer,
    url,
    port,
    stop: async () => {
      await drain.stop(config.shutdownGraceMs);
      await apollo.stop();
    },
  };
}
