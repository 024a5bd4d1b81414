import type { Sql } from '../database';
import { CURRENT } from '../annotation-sql';

/** A current GOLD annotation with its annotator's name. */
export interface GoldAnnotationRow {
  id: string;
  item_id: string;
  label: number;
  annotator: string;
}

/** The current GOLD annotations of these items of the project, per item newest first (the first is its gold answer). */
export function findCurrentGold(sql: Sql, projectId: string, itemIds: readonly string[]): Promise<GoldAnnotationRow[]> {
  return sql.query<GoldAnnotationRow>(
    `SELECT a.id, a.item_id, a.label, n.name AS annotator FROM annotation a JOIN annotator n ON n.id = a.annotator_id
     WHERE a.project_id = $1 AND a.kind = 'GOLD' AND ${CURRENT('a')} AND a.item_id = ANY($2::uuid[]) ORDER BY a.item_id, a.created_at DESC, a.id DESC`,
    [projectId, itemIds],
  );
}
