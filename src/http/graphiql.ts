import { dirname, join } from 'node:path';
import type { Request, Response, NextFunction, Router } from 'express';
import express from 'express';

/**
 * GraphiQL, served from the npm packages installed with Loupe (no CDN): GET /graphql from a browser (Accept:
 * text/html) answers the IDE's page, which loads its scripts from /graphiql/. The page starts with an
 * `authorization` header to fill in; queries go to /graphql like any other client's.
 */
const ASSETS: Record<string, string> = {
  'react.production.min.js': join(dirname(require.resolve('react/package.json')), 'umd', 'react.production.min.js'),
  'react-dom.production.min.js': join(dirname(require.resolve('react-dom/package.json')), 'umd', 'react-dom.production.min.js'),
  'graphiql.min.js': join(dirname(require.resolve('graphiql/package.json')), 'graphiql.min.js'),
  'graphiql.min.css': join(dirname(require.resolve('graphiql/package.json')), 'graphiql.min.css'),
};

const DEFAULT_HEADERS = JSON.stringify({ authorization: 'Bearer <your API key>' }, null, 2);

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Loupe GraphQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.min.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="/graphiql/react.production.min.js"></script>
<script src="/graphiql/react-dom.production.min.js"></script>
<script src="/graphiql/graphiql.min.js"></script>
<script>
  const fetcher = GraphiQL.createFetcher({ url: new URL('/graphql', location.href).href });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher, defaultHeaders: ${JSON.stringify(DEFAULT_HEADERS)}, isHeadersEditorEnabled: true, shouldPersistHeaders: true }),
  );
</script>
</body>
</html>
`;

/** Whether a request is a browser asking for a page (not a GraphQL GET query). */
function wantsPage(req: Request): boolean {
  return req.method === 'GET' && req.query.query === undefined && (req.headers.accept ?? '').includes('text/html');
}

/** The IDE's static files, mounted at /graphiql. */
export function graphiqlAssets(): Router {
  const router = express.Router();
  router.get('/:file', (req, res, next) => {
    const path = ASSETS[req.params.file];
    if (!path) return next();
    res.sendFile(path, { maxAge: '1d' });
  });
  return router;
}

/** Answers the IDE's page for browser GETs of /graphql; everything else goes on to the GraphQL server. */
export function graphiqlPage(req: Request, res: Response, next: NextFunction): void {
  if (!wantsPage(req)) return next();
  res.type('html').send(PAGE);
}
