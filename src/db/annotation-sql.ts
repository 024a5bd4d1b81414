import type { AnnotationKind } from './types';

/**
 * Which annotations count. Each annotation fills a slot of its (item, annotator): HUMAN and GOLD share one (both are
 * the annotator's vote), every other kind has its own. A later annotation in a slot replaces the earlier one, and a
 * RETRACTION withdraws the annotation it names; either way the earlier annotation's id goes into
 * `annotation_replaced` (annotations themselves are never updated). An annotation is current while its id is not
 * there; a RETRACTION is never current.
 */
export function slotOf(kind: AnnotationKind): string {
  return kind === 'HUMAN' || kind === 'GOLD' ? 'VOTE' : kind;
}

/** {@link slotOf} in SQL, for the annotation aliased `a`. */
export const SLOT_SQL = (a: string): string => `(CASE WHEN ${a}.kind IN ('HUMAN', 'GOLD') THEN 'VOTE' ELSE ${a}.kind END)`;

/** SQL condition: the annotation aliased `a` is current (neither replaced nor retracted, and not a RETRACTION). */
export const CURRENT = (a: string): string => `(${a}.kind <> 'RETRACTION' AND NOT EXISTS (SELECT 1 FROM annotation_replaced x WHERE x.id = ${a}.id))`;

/** The kinds that label an item (a person's answer): HUMAN and GOLD votes and REVIEW decisions, as an SQL list. */
export const LABELING_KINDS_SQL = `('HUMAN', 'GOLD', 'REVIEW')`;

/** The kinds that are votes (one per annotator: its HUMAN or GOLD answer), as an SQL list. */
export const VOTE_KINDS_SQL = `('HUMAN', 'GOLD')`;
