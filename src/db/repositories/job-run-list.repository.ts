import type { Sql } from '../database';

/** The project's job runs, newest first, as the select list `columns` names them (the job-run row's columns). */
export function listJobRuns<R>(sql: Sql, projectId: string, columns: string): Promise<R[]> {
  return sql.query<R>(`SELECT ${columns} FROM job_run WHERE project_id = $1 ORDER BY created_at DESC, id DESC`, [projectId]);
}
