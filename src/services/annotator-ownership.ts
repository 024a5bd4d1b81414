import type { Sql } from '../db/database';
import type { AnnotationKind } from '../db/types';
import type { AnnotatorKind } from '../db/types';
import { OwnedAnnotator, claimAnnotators, findAnnotatorsByName, findAnnotatorsWithOwner, insertAnnotators } from '../db/repositories/annotator.repository';
import { clip, forbidden } from '../errors';
import type { Principal } from './auth.service';

export interface AnnotatorView {
  id: string;
  name: string;
  kind: AnnotatorKind;
  createdAt: Date;
}

/** The annotator kind given to an annotator created on first use, from the kind of its first annotation. */
const DEFAULT_ANNOTATOR_KIND: Record<AnnotationKind, AnnotatorKind> = {
  HUMAN: 'HUMAN',
  GOLD: 'HUMAN',
  REVIEW: 'HUMAN',
  MODEL: 'MODEL',
  WEAK: 'LABELING_FUNCTION',
  RETRACTION: 'HUMAN',
};

const view = (r: OwnedAnnotator): AnnotatorView => ({ id: r.id, name: r.name, kind: r.kind, createdAt: new Date(r.created_at) });

/**
 * The annotators of `rows` by name, created on first use and then owned by the caller's key. An annotator belongs
 * to the key that first wrote for it: another key writing under its name is FORBIDDEN, unless that key is an ADMIN
 * key or the project's settings.sharedAnnotators is true. An annotator with no owner yet (one registered without
 * writing, or whose key was revoked) is claimed by the first key that writes for it: a rotated key takes over the
 * annotators of the key it replaces. Errors name `annotations[i].annotator`, i the first row with the name.
 */
export async function ensureAnnotators(
  sql: Sql,
  projectId: string,
  rows: ReadonlyArray<{ annotatorName: string; annotatorKind: AnnotatorKind | null; kind: AnnotationKind }>,
  p: Principal,
  shared: boolean,
): Promise<Map<string, AnnotatorView>> {
  const wanted = new Map<string, AnnotatorKind>();
  const firstAt = new Map<string, number>();
  rows.forEach((r, i) => {
    if (!wanted.has(r.annotatorName)) {
      wanted.set(r.annotatorName, r.annotatorKind ?? DEFAULT_ANNOTATOR_KIND[r.kind]);
      firstAt.set(r.annotatorName, i);
    }
  });
  // Sorted: concurrent creators take locks in one order.
  const names = [...wanted.keys()].sort();
  // An annotator whose key was revoked has no owner any more: the key that replaces it claims it by writing.
  const existing = await findAnnotatorsWithOwner(sql, projectId, names);
  const ids = new Map<string, AnnotatorView>();
  const unowned: string[] = [];
  for (const r of existing) {
    if (r.api_key_id === null) unowned.push(r.id);
    else if (r.api_key_id !== p.keyId && p.role !== 'ADMIN' && !shared) {
      throw forbidden(
        `annotator "${r.name}" belongs to another API key; a key writes only for the annotators it created (an ADMIN key, or settings.sharedAnnotators: true, lifts this)`,
        `annotations[${firstAt.get(r.name)}].annotator`,
      );
    }
    ids.set(r.name, view(r));
  }
  if (unowned.length) {
    // Claimed under the row lock: of two keys claiming at once, the second sees the first one's claim and is refused.
    const claimed = await claimAnnotators(sql, unowned, p.keyId);
    if (claimed.length < unowned.length && p.role !== 'ADMIN' && !shared) {
      const got = new Set(claimed);
      const lost = existing.find((r) => unowned.includes(r.id) && !got.has(r.id))!;
      throw forbidden(`annotator "${clip(lost.name)}" belongs to another API key`, `annotations[${firstAt.get(lost.name)}].annotator`);
    }
  }
  const missing = names.filter((nm) => !ids.has(nm));
  if (missing.length) {
    await insertAnnotators(sql, projectId, missing, missing.map((nm) => wanted.get(nm)!), p.keyId);
    for (const r of await findAnnotatorsByName(sql, projectId, missing)) {
      // Created by a concurrent call of another key that committed first: the same rule.
      if (r.api_key_id !== null && r.api_key_id !== p.keyId && p.role !== 'ADMIN' && !shared) {
        throw forbidden(`annotator "${clip(r.name)}" belongs to another API key`, `annotations[${firstAt.get(r.name)}].annotator`);
      }
      ids.set(r.name, view(r));
    }
  }
  return ids;
}
