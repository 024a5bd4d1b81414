import type { Sql } from '../database';

/** The project's data version (a decimal string; it only grows): bumped by triggers on the writes reads depend on. */
export async function projectDataVersion(sql: Sql, projectId: string): Promise<string> {
  const [r] = await sql.query<{ v: string }>(`SELECT coalesce(sum(version), 0)::text AS v FROM project_data_version WHERE project_id = $1`, [projectId]);
  return r.v;
}
