import { canonicalJson, snapshotLine } from '../services/snapshot.service';
import type { SnapshotItem } from '../services/snapshot.service';

/** The file formats of a snapshot export. */
export type ExportFormat = 'jsonl' | 'csv';

const CSV_COLUMNS = [
  'external_id',
  'item_id',
  'label',
  'qa_status',
  'votes',
  'agreeing',
  'annotators',
  'annotation_ids',
  'guideline_version',
  'model_version_id',
  'predicted_label',
  'lineage',
];

/** A CSV field (RFC 4180): quoted when it holds a quote, comma or line break; null is empty. */
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV row of a snapshot item (CRLF-terminated): the columns of {@link CSV_COLUMNS}, lists joined by `;`. */
export function csvLine(r: SnapshotItem): string {
  const l = r.lineage;
  return (
    [
      r.externalId,
      r.itemId,
      r.label,
      l.qaStatus,
      l.votes,
      l.agreeing,
      l.annotators.join(';'),
      l.annotationIds.join(';'),
      l.guidelineVersion,
      l.modelVersion?.id ?? null,
      l.modelVersion?.predictedLabel ?? null,
      canonicalJson(l),
    ]
      .map(csvField)
      .join(',') + '\r\n'
  );
}

/** One JSONL line of a snapshot item: the line its content hash is made of, then "\n". */
export function jsonlLine(r: SnapshotItem): string {
  return snapshotLine(r) + '\n';
}

/**
 * The export of a snapshot as text chunks, one per page of items (JSONL: the hashed lines; CSV: a header chunk first,
 * then one row per item).
 */
export async function* exportChunks(pages: AsyncIterable<SnapshotItem[]>, format: ExportFormat): AsyncGenerator<string> {
  if (format === 'csv') yield CSV_COLUMNS.join(',') + '\r\n';
  const line = format === 'jsonl' ? jsonlLine : csvLine;
  for await (const items of pages) {
    let chunk = '';
    for (const it of items) chunk += line(it);
    yield chunk;
  }
}
