import type { AnnotationKind } from '../db/types';
import type { AnnotationRow } from '../db/repositories/annotation.repository';
import type { AnnotatorView } from './annotator-ownership';

export type { AnnotatorView } from './annotator-ownership';

export interface AnnotationView {
  id: string;
  projectId: string;
  itemId: string;
  annotator: AnnotatorView;
  label: string;
  kind: AnnotationKind;
  confidence: number | null;
  durationMs: number | null;
  guidelineVersion: string | null;
  clientMutationId: string | null;
  apiKeyId: string | null;
  /** Whether it is what its annotator says about the item now (see slotOf in db/annotation-sql.ts). */
  current: boolean;
  retracts: string | null;
  createdAt: Date;
}

export function toAnnotationView(r: AnnotationRow): AnnotationView {
  return {
    id: r.id,
    projectId: r.project_id,
    itemId: r.item_id,
    annotator: { id: r.annotator_id, name: r.annotator_name, kind: r.annotator_kind, createdAt: new Date(r.annotator_created_at) },
    label: r.label_name,
    kind: r.kind,
    confidence: r.confidence === null ? null : Number(r.confidence),
    durationMs: r.duration_ms,
    guidelineVersion: r.guideline_version,
    clientMutationId: r.client_mutation_id,
    apiKeyId: r.api_key_id,
    current: r.is_current,
    retracts: r.retracts,
    createdAt: new Date(r.created_at),
  };
}
