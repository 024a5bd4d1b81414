import { validate as validCron } from 'node-cron';
import { badInput, clip } from '../errors';
import { JOB_NAMES } from './pipeline-step';
import { FILTER_BY_METHODS, type FilterBy } from '../quality/label-issues';
import { LABEL_QUALITY_METHODS, type LabelQualityMethod } from '../quality/label-quality';

/**
 * Project settings: every key the services read, with its type, allowed values and default, in one table
 * ({@link SETTINGS_SPEC}). A project stores a JSON object (`project.settings`); `updateProject` applies its input as
 * a JSON merge patch (RFC 7386, {@link mergePatch}) and the result is validated as a whole ({@link validateSettings}).
 * Readers take the stored object through {@link effectiveSettings}, which fills in the defaults.
 *
 * Top-level keys this table does not name are kept as they are (any JSON: the demo project stores `source` and
 * `demo`); inside a known object (routing, drift, labelIssues, schedules …) an unknown key is refused, so a typo is
 * not silently ignored.
 */

/** Longest lease (one week): a forgotten lease must end some day. */
export const MAX_LEASE_SECONDS = 7 * 24 * 3600;
/** Largest stored settings object, as serialized JSON in UTF-8. */
export const MAX_SETTINGS_BYTES = 65_536;
/** Deepest nesting of objects and arrays in a settings object (checked before anything recurses into it). */
export const MAX_SETTINGS_DEPTH = 32;
/** What `schedules[job]` holds to turn a job's schedule off. */
export const SCHEDULE_OFF = 'off';

type Obj = Record<string, unknown>;

/** One key's type, range or allowed values, default and meaning. A key without `default` is optional. */
export type SettingSpec =
  | { kind: 'number'; min?: number; max?: number; minExclusive?: boolean; integer?: boolean; default: number; doc: string }
  | { kind: 'boolean'; default: boolean; doc: string }
  | { kind: 'enum'; values: readonly string[]; default: string; doc: string }
  | { kind: 'timestamp'; doc: string }
  | { kind: 'object'; fields: Record<string, SettingSpec>; optional?: boolean; check?: (v: Obj, path: string) => void; doc: string }
  | { kind: 'schedules'; jobs: readonly string[]; doc: string };

const unit = (d: number, doc: string): SettingSpec => ({ kind: 'number', min: 0, max: 1, default: d, doc });
const nonNeg = (d: number, doc: string): SettingSpec => ({ kind: 'number', min: 0, default: d, doc });

const window = (doc: string): SettingSpec => ({
  kind: 'object',
  optional: true,
  doc,
  fields: { from: { kind: 'timestamp', doc: 'start (inclusive), an ISO timestamp' }, to: { kind: 'timestamp', doc: 'end (exclusive), an ISO timestamp' } },
  check: (w, path) => {
    if (w.from === undefined || w.to === undefined) throw badInput(path, 'needs both from and to');
    if (!(new Date(w.from as string) < new Date(w.to as string))) throw badInput(path, 'from must be before to');
  },
});

/** Every settings key. The README's settings table follows this one. */
export const SETTINGS_SPEC: Record<string, SettingSpec> = {
  leaseSeconds: { kind: 'number', min: 0, minExclusive: true, max: MAX_LEASE_SECONDS, default: 600, doc: "length of a nextBatch lease, in seconds" },
  skipCooldownSeconds: {
    kind: 'number', integer: true, min: 0, max: 4 * MAX_LEASE_SECONDS, default: 86400,
    doc: 'how long releaseItems(reason: LATER) keeps an item from that annotator, in seconds',
  },
  maxLeaseSeconds: {
    kind: 'number', min: 0, minExclusive: true, max: MAX_LEASE_SECONDS, default: 3600,
    doc: 'the longest lease: extendLease may not ask for more, and a longer leaseSeconds is cut to it',
  },
  maxLeasesPerKey: {
    kind: 'number', integer: true, min: 1, max: 1_000_000, default: 500,
    doc: 'active leases one API key may hold in the project, whatever annotator names it uses (nextBatch returns fewer items at the limit)',
  },
  goldRate: unit(0.05, 'share of each nextBatch slot that is a gold item (probability per slot)'),
  exposeScoresToTools: {
    kind: 'boolean', default: false,
    doc: 'whether LABELING_TOOL keys see nextBatch scores (totalScore, scores, reason); they are null for them otherwise',
  },
  requireEmbedding: { kind: 'boolean', default: false, doc: 'refuse importItems rows without an embedding (projects with an embeddingDim)' },
  sharedAnnotators: { kind: 'boolean', default: false, doc: 'whether API keys may write under an annotator name that another key wrote for first' },
  routing: {
    kind: 'object',
    doc: 'thresholds of the route job',
    fields: {
      autoAccept: unit(0.95, 'top probability ≥ this → AUTO_ACCEPT'),
      singleReview: unit(0.7, 'top probability ≥ this (and < autoAccept) → SINGLE_REVIEW; below → CONSENSUS'),
      spotCheckRate: unit(0.05, 'share of AUTO_ACCEPT items drawn as spot checks'),
      minAgreement: unit(0.6, 'annotator agreement below this → EXPERT; ≥ this with 2 agreeing votes → DONE'),
      consensusVotes: { kind: 'number', integer: true, min: 2, max: 1000, default: 3, doc: 'votes a CONSENSUS item collects before it leaves the pool' },
      seed: { kind: 'number', default: 0, doc: 'seed of the spot-check draw' },
    },
    check: (r, path) => {
      if ((r.singleReview as number) > (r.autoAccept as number)) {
        throw badInput(`${path}.singleReview`, `(${String(r.singleReview)}) must not exceed autoAccept (${String(r.autoAccept)})`);
      }
    },
  },
  drift: {
    kind: 'object',
    doc: 'windows and thresholds of the drift job',
    fields: {
      split: { kind: 'enum', values: ['time', 'halves'], default: 'time', doc: '"time": the last windowDays against the referenceDays before; "halves": older half of the items against the newer half' },
      windowDays: { kind: 'number', min: 0, minExclusive: true, default: 7, doc: 'length of the current window (split "time"), in days' },
      referenceDays: { kind: 'number', min: 0, minExclusive: true, default: 30, doc: 'length of the reference window before it (split "time"), in days' },
      reference: window('explicit reference window {from, to}; with current, overrides split'),
      current: window('explicit current window {from, to}; with reference, overrides split'),
      sampleSize: { kind: 'number', integer: true, min: 2, default: 2000, doc: 'most items per window fed to MMD (a seeded uniform sample)' },
      permutations: { kind: 'number', integer: true, min: 0, default: 100, doc: 'permutations of the MMD test' },
      seed: { kind: 'number', default: 0, doc: 'seed of the sample and the permutations' },
      minAnnotations: { kind: 'number', integer: true, min: 1, default: 5, doc: 'fewest HUMAN annotations an annotator needs in each window to be compared' },
      thresholds: {
        kind: 'object',
        doc: 'verdicts: p-value ≤ drift → DRIFT, ≤ warn → WARN; PSI and JS ≥ drift → DRIFT, ≥ warn → WARN',
        fields: {
          pvalueWarn: unit(0.05, 'p-value at or below which a test WARNs'),
          pvalueDrift: unit(0.01, 'p-value at or below which a test says DRIFT'),
          psiWarn: nonNeg(0.1, 'PSI at or above which it WARNs'),
          psiDrift: nonNeg(0.25, 'PSI at or above which it says DRIFT'),
          jsWarn: unit(0.1, 'Jensen–Shannon distance (base 2) at or above which it WARNs'),
          jsDrift: unit(0.2, 'Jensen–Shannon distance (base 2) at or above which it says DRIFT'),
        },
      },
    },
    check: (d, path) => {
      if ((d.reference === undefined) !== (d.current === undefined)) {
        throw badInput(d.reference === undefined ? `${path}.reference` : `${path}.current`, 'give both reference and current windows, or neither');
      }
    },
  },
  labelIssues: {
    kind: 'object',
    doc: 'methods of the labelIssues job (cleanlab names)',
    fields: {
      filterBy: { kind: 'enum', values: FILTER_BY_METHODS, default: 'prune_by_noise_rate', doc: 'how confident learning flags issues' },
      rankBy: { kind: 'enum', values: LABEL_QUALITY_METHODS, default: 'self_confidence', doc: 'label quality score that orders them' },
    },
  },
  schedules: {
    kind: 'schedules',
    jobs: JOB_NAMES,
    doc: `job name → cron expression (5 fields, or 6 with seconds) or "${SCHEDULE_OFF}"; a job not named runs on its default schedule`,
  },
};

/** Effective settings: the stored object with every default filled in (keys the table does not name kept as stored). */
export interface Settings {
  leaseSeconds: number;
  skipCooldownSeconds: number;
  maxLeaseSeconds: number;
  maxLeasesPerKey: number;
  goldRate: number;
  exposeScoresToTools: boolean;
  requireEmbedding: boolean;
  sharedAnnotators: boolean;
  routing: { autoAccept: number; singleReview: number; spotCheckRate: number; minAgreement: number; consensusVotes: number; seed: number };
  drift: {
    split: 'time' | 'halves';
    windowDays: number;
    referenceDays: number;
    reference?: { from: string; to: string };
    current?: { from: string; to: string };
    sampleSize: number;
    permutations: number;
    seed: number;
    minAnnotations: number;
    thresholds: { pvalueWarn: number; pvalueDrift: number; psiWarn: number; psiDrift: number; jsWarn: number; jsDrift: number };
  };
  labelIssues: { filterBy: FilterBy; rankBy: LabelQualityMethod };
  /** Only the jobs the project overrides; null (stored before "off" existed) means off too. */
  schedules: Record<string, string | null>;
  [other: string]: unknown;
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * RFC 7386 JSON merge patch: an object patch merges into the target key by key (recursively), a `null` member removes
 * the key, anything else (arrays, scalars) replaces. Neither argument is modified.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Deepest nesting of `v` (a scalar is 0), computed without recursion; stops counting once past `limit`. */
export function depthOf(v: unknown, limit: number): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[v, 0]];
  while (stack.length) {
    const [x, d] = stack.pop()!;
    if (typeof x !== 'object' || x === null) continue;
    if (d + 1 > max) max = d + 1;
    if (max > limit) return max;
    for (const c of Array.isArray(x) ? x : Object.values(x)) stack.push([c, d + 1]);
  }
  return max;
}

/** Refuses a settings value that is not a JSON object, nests deeper than MAX_SETTINGS_DEPTH or serializes past MAX_SETTINGS_BYTES. */
export function checkBounds(s: unknown, path: string): asserts s is Obj {
  if (!isObj(s)) throw badInput(path, 'must be a JSON object');
  if (depthOf(s, MAX_SETTINGS_DEPTH) > MAX_SETTINGS_DEPTH) throw badInput(path, `nests deeper than ${MAX_SETTINGS_DEPTH} levels`);
  const bytes = Buffer.byteLength(JSON.stringify(s), 'utf8');
  if (bytes > MAX_SETTINGS_BYTES) throw badInput(path, `is ${bytes} bytes as JSON; at most ${MAX_SETTINGS_BYTES}`);
}

const show = (v: unknown): string => clip(JSON.stringify(v) ?? String(v));

function rangeText(s: Extract<SettingSpec, { kind: 'number' }>): string {
  const what = s.integer ? 'an integer' : 'a number';
  if (s.min === undefined && s.max === undefined) return `${what}`;
  if (s.max === undefined) return `${what} ${s.minExclusive ? '>' : '≥'} ${s.min}`;
  if (s.min === undefined) return `${what} ≤ ${s.max}`;
  return `${what} in ${s.minExclusive ? '(' : '['}${s.min}, ${s.max}]`;
}

/** Checks one value against its spec and returns it with defaults filled in (objects), or throws naming `path`. */
function resolve(spec: SettingSpec, v: unknown, path: string): unknown {
  switch (spec.kind) {
    case 'number': {
      if (v === undefined) return spec.default;
      const ok =
        typeof v === 'number' && Number.isFinite(v) && (!spec.integer || Number.isInteger(v)) &&
        (spec.min === undefined || (spec.minExclusive ? v > spec.min : v >= spec.min)) && (spec.max === undefined || v <= spec.max);
      if (!ok) throw badInput(path, `must be ${rangeText(spec)}, got ${show(v)}`);
      return v;
    }
    case 'boolean':
      if (v === undefined) return spec.default;
      if (typeof v !== 'boolean') throw badInput(path, `must be true or false, got ${show(v)}`);
      return v;
    case 'enum':
      if (v === undefined) return spec.default;
      if (typeof v !== 'string' || !spec.values.includes(v)) throw badInput(path, `must be one of ${spec.values.map((x) => `"${x}"`).join(', ')}, got ${show(v)}`);
      return v;
    case 'timestamp':
      if (v === undefined) return undefined;
      if (typeof v !== 'string' || Number.isNaN(new Date(v).getTime())) throw badInput(path, `must be an ISO timestamp, got ${show(v)}`);
      return v;
    case 'object': {
      if (v === undefined && spec.optional) return undefined;
      if (v !== undefined && !isObj(v)) throw badInput(path, `must be an object, got ${show(v)}`);
      const raw = (v ?? {}) as Obj;
      for (const k of Object.keys(raw)) {
        if (!Object.prototype.hasOwnProperty.call(spec.fields, k)) {
          throw badInput(`${path}.${k}`, `unknown key; allowed: ${Object.keys(spec.fields).join(', ')}`);
        }
      }
      const out: Obj = {};
      for (const [k, f] of Object.entries(spec.fields)) {
        const r = resolve(f, raw[k] === null ? undefined : raw[k], `${path}.${k}`);
        if (r !== undefined) out[k] = r;
      }
      spec.check?.(out, path);
      return out;
    }
    case 'schedules': {
      if (v === undefined) return {};
      if (!isObj(v)) throw badInput(path, `must be an object of job name → cron expression, got ${show(v)}`);
      for (const [job, cron] of Object.entries(v)) {
        if (!spec.jobs.includes(job)) throw badInput(`${path}.${job}`, `unknown job; jobs: ${spec.jobs.join(', ')}`);
        if (cron === null || cron === SCHEDULE_OFF) continue;
        if (typeof cron !== 'string' || !validCron(cron)) {
          throw badInput(`${path}.${job}`, `must be a cron expression (5 fields, or 6 with seconds) or "${SCHEDULE_OFF}", got ${show(cron)}`);
        }
      }
      return { ...v };
    }
  }
}

/** Validates a whole settings object and returns its effective form; errors name the key under `path`. */
function resolveAll(raw: unknown, path: string): Settings {
  checkBounds(raw, path);
  const out: Obj = { ...raw };
  for (const [k, spec] of Object.entries(SETTINGS_SPEC)) out[k] = resolve(spec, raw[k] === null ? undefined : raw[k], `${path}.${k}`);
  return out as Settings;
}

/**
 * The settings to store from an input: `patch` merged into `current` (RFC 7386; creating a project merges into {}),
 * bounded and validated as a whole. Errors are BAD_USER_INPUT naming the key under `path` (e.g. input.settings.drift.split).
 */
export function applySettingsPatch(current: Obj, patch: unknown, path: string): Obj {
  checkBounds(patch, path);
  const merged = mergePatch(current, patch) as Obj;
  resolveAll(merged, path);
  return merged;
}

const cache = new WeakMap<object, Settings>();

/**
 * The effective settings of a stored settings object (defaults filled in), typed. A stored value that no longer
 * validates throws BAD_USER_INPUT naming `settings.<key>` (a job records the message).
 */
export function effectiveSettings(stored: Obj | null | undefined): Settings {
  const raw = stored ?? {};
  const hit = cache.get(raw);
  if (hit) return hit;
  const s = resolveAll(raw, 'settings');
  cache.set(raw, s);
  return s;
}

/** The effective settings to show; a stored object that no longer validates is shown as stored. */
export function shownSettings(stored: Obj | null | undefined): Obj {
  try {
    return effectiveSettings(stored);
  } catch {
    return stored ?? {};
  }
}

/** What a project's settings say about one job's schedule. */
export type ScheduleSetting = { kind: 'default' } | { kind: 'off' } | { kind: 'cron'; expression: string } | { kind: 'invalid'; value: unknown };

/** Reads settings.schedules[job] without throwing: an invalid stored value is reported as such (the scheduler logs it). */
export function scheduleOf(stored: Obj | null | undefined, job: string): ScheduleSetting {
  const all = stored?.schedules;
  if (!isObj(all) || !Object.prototype.hasOwnProperty.call(all, job)) return { kind: 'default' };
  const v = all[job];
  if (v === null || v === undefined || v === false || v === SCHEDULE_OFF || v === '') return { kind: 'off' };
  return typeof v === 'string' && validCron(v) ? { kind: 'cron', expression: v } : { kind: 'invalid', value: v };
}
