import express, { NextFunction, Request, Response, Router } from 'express';
import { ErrorCode, LoupeError } from '../../errors';
import { log } from '../../logger';
import { AuthService } from '../../services/auth.service';
import type { ItemData } from '../../services/item.service';
import type { LabelStudioCaller, LabelStudioConfig } from '../../services/label-studio-connector.service';
import type { Services } from '../../services/services';
import { parseLabelConfig } from './label-config';

/**
 * Label Studio's ML-backend protocol (label-studio-ml-backend `label_studio_ml/api.py`; what Label Studio sends:
 * `label_studio/ml/api_connector.py`), mounted at `/label-studio/:secret`. The secret in the path authenticates the
 * connector; HTTP Basic auth (Label Studio's one auth option for ML backends) is accepted beside it when its password
 * is a Loupe API key of the connector's project. Errors are `{"status": <code>, "detail": "..."}`, the shape Label
 * Studio shows. The secret is never logged: logs name the connector id.
 */

const STATUS: Record<ErrorCode, number> = { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, RATE_LIMITED: 429 };

/** Endpoints of the protocol Loupe does not serve: Loupe trains, validates and keeps models itself. */
const NOT_SERVED: Record<string, string> = {
  '/train': 'Loupe trains on its own (trainModel, or its schedule); /train is not served',
  '/validate': 'Loupe does not validate label configs here: POST /setup checks the config',
  '/job_status': 'Loupe has no training jobs for Label Studio to poll: see jobRuns over GraphQL',
  '/duplicate_model': 'Loupe keeps one model per project: /duplicate_model is not served',
  '/delete': 'Loupe keeps its model versions: /delete is not served (revoke the connector instead)',
};

const fail = (res: Response, status: number, detail: string): void => {
  res.status(status).json({ status, detail });
};

const callerOf = (res: Response): LabelStudioCaller => res.locals.labelStudio as LabelStudioCaller;

/** The password of an `Authorization: Basic` header, or null when the header is not Basic. */
export function basicPassword(authorization: string | undefined): string | null {
  const m = /^Basic\s+(\S+)$/i.exec(authorization?.trim() ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : decoded.slice(colon + 1);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A Label Studio task as the item Loupe keeps of it: externalId `ls-<task.id>`; a `<Text>` object's data value is the
 * item's text, an `<Image>` or `<HyperText>` URL goes into `data` under its key.
 */
export function taskToItem(task: unknown, i: number, config: LabelStudioConfig): ItemData {
  if (!isObject(task)) throw new LoupeError('BAD_USER_INPUT', `tasks[${i}]: must be a task object`, `tasks[${i}]`);
  const id = task.id;
  if (!(typeof id === 'number' && Number.isInteger(id)) && !(typeof id === 'string' && id !== '')) {
    throw new LoupeError('BAD_USER_INPUT', `tasks[${i}].id: must be the task's id`, `tasks[${i}].id`);
  }
  if (!isObject(task.data)) throw new LoupeError('BAD_USER_INPUT', `tasks[${i}].data: must be an object`, `tasks[${i}].data`);
  const value = task.data[config.dataKey];
  const field = `tasks[${i}].data.${config.dataKey}`;
  if (typeof value !== 'string') {
    throw new LoupeError('BAD_USER_INPUT', `${field}: must be a string (the label config's <${config.objectTag} name="${config.toName}"> reads $${config.dataKey})`, field);
  }
  const externalId = `ls-${id}`;
  return config.objectTag === 'Text' ? { externalId, text: value } : { externalId, data: { [config.dataKey]: value } };
}

/** The Label Studio router; `bodyLimitBytes` bounds request bodies (LOUPE_BODY_LIMIT). */
export function labelStudioRouter(services: Services, opts: { bodyLimitBytes: number }): Router {
  const router = express.Router({ mergeParams: true });

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      const caller = await services.labelStudioConnectors.authenticate(String(req.params.secret ?? ''));
      if (!caller) return fail(res, 401, 'unknown or revoked Loupe connector URL: create one with createLabelStudioConnector and paste its url into Label Studio');
      const password = basicPassword(req.headers.authorization);
      if (password !== null) {
        const key = await services.auth.authenticate(`Bearer ${password}`);
        if (!key || !AuthService.inScope(key, caller.projectId)) {
          return fail(res, 401, "the Basic auth password is no active Loupe API key of this connector's project");
        }
      }
      res.locals.labelStudio = caller;
      next();
    } catch (e) {
      next(e);
    }
  });
  router.use(express.json({ limit: opts.bodyLimitBytes }));

  const health = (_req: Request, res: Response) => void res.json({ status: 'UP', model_class: 'Loupe' });
  router.get('/', health);
  router.get('/health', health);

  router.post('/setup', async (req, res, next) => {
    try {
      const caller = callerOf(res);
      const config = parseLabelConfig(isObject(req.body) ? req.body.schema : undefined, 'schema');
      const version = await services.labelStudioConnectors.setup(caller, config, 'schema');
      res.json({ model_version: version ?? 'none' });
    } catch (e) {
      next(e);
    }
  });

  router.post('/predict', async (req, res, next) => {
    try {
      const caller = callerOf(res);
      const body: Record<string, unknown> = isObject(req.body) ? req.body : {};
      if (!Array.isArray(body.tasks)) throw new LoupeError('BAD_USER_INPUT', 'tasks: must be a list of tasks', 'tasks');
      let config = caller.config;
      if (!config) {
        if (body.label_config === undefined || body.label_config === null) {
          throw new LoupeError('BAD_USER_INPUT', 'label_config: the connector has no label config yet: send it, or call /setup first', 'label_config');
        }
        config = parseLabelConfig(body.label_config, 'label_config');
      }
      const items = body.tasks.map((t, i) => taskToItem(t, i, config));
      const { modelVersion, predictions } = await services.labelStudioPredictions.predict(caller.principal, caller.projectId, items);
      const { fromName, toName } = config;
      res.json({
        results: predictions.map((p) =>
          p
            ? { result: [{ from_name: fromName, to_name: toName, type: 'choices', value: { choices: [p.label] } }], score: p.score, model_version: modelVersion }
            : modelVersion
              ? { result: [], model_version: modelVersion }
              : { result: [] },
        ),
      });
    } catch (e) {
      next(e);
    }
  });

  router.get('/versions', async (_req, res, next) => {
    try {
      const caller = callerOf(res);
      res.json({ versions: await services.labelStudioPredictions.versions(caller.principal, caller.projectId) });
    } catch (e) {
      next(e);
    }
  });

  for (const [path, detail] of Object.entries(NOT_SERVED)) router.all(path, (_req, res) => fail(res, 404, detail));
  router.use((req, res) => fail(res, 404, `Loupe's Label Studio connector does not serve ${req.method} ${req.path}`));

  router.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof LoupeError) return fail(res, STATUS[err.code], err.message);
    const status = err.status ?? 500;
    const caller = res.locals.labelStudio as LabelStudioCaller | undefined;
    if (status >= 500) {
      log.error('label studio request failed', { connector: caller?.connectorId ?? null, message: err.message });
      return fail(res, 500, 'Internal server error');
    }
    if (err.type === 'entity.too.large') return fail(res, 413, `request body exceeds the limit of ${opts.bodyLimitBytes} bytes (LOUPE_BODY_LIMIT)`);
    if (err.type === 'entity.parse.failed') return fail(res, 400, 'request body is not valid JSON');
    return fail(res, status, err.message);
  });
  return router;
}
