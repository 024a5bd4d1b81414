/** The label tables the consensus job, the annotator statistics and the labeling-function summary read. */
import type { Sql } from '../db/database';
import { findAnnotatorNames } from '../db/repositories/annotator.repository';
import { findHumanVotes } from '../db/repositories/consensus.repository';
import { findLabelingFunctions, findWeakVotes } from '../db/repositories/weak-label.repository';
import type { LabelTable } from '../quality/item-consensus';
import { buildLabelTable, buildWeakTable } from '../quality/label-table';

/**
 * The current HUMAN annotation of each (item, annotator); within [from, to), the latest one written in the window
 * that was not retracted (a vote replaced after the window still speaks for it). GOLD annotations are not
 * votes here: they are the truth the methods are compared against (a gold answer counted as a vote would make every
 * method look right on exactly the items used to compare them); REVIEW decides an item outright.
 */
export async function loadHuman(sql: Sql, projectId: string, window?: { from: Date; to: Date }): Promise<LabelTable> {
  return buildLabelTable(await findHumanVotes(sql, projectId, window));
}

/**
 * Labeling functions' votes: per (item, LF) the latest of its weak_vote row (abstains included) and its WEAK
 * annotations (votes sent through submitAnnotations). Rows = items some LF was applied to; −1 = abstain.
 * Columns = every registered LF of the project (one that never voted is an all-abstain column), then the sources of
 * WEAK annotations not registered as LFs; `lfNames` names every column (its id where the annotator has no name).
 */
export async function loadWeak(sql: Sql, projectId: string): Promise<{ table: LabelTable; lfNames: string[] }> {
  const lfs = await findLabelingFunctions(sql, projectId);
  const votes = await findWeakVotes(sql, projectId);
  const table = buildWeakTable(lfs.map((l) => l.id), votes);
  const names = new Map(lfs.map((l) => [l.id, l.name]));
  const extra = table.annotatorIds.slice(lfs.length);
  if (extra.length) for (const [id, name] of await findAnnotatorNames(sql, projectId, extra)) names.set(id, name);
  return { table, lfNames: table.annotatorIds.map((id) => names.get(id) ?? id) };
}
