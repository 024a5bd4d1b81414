/** The values the database's CHECK constraints allow in its enumerated text columns (see migrations/). */

/** annotation.kind. Annotations are append-only: a trigger refuses UPDATE; replaced and retracted ones are listed in `annotation_replaced`. */
export type AnnotationKind = 'HUMAN' | 'MODEL' | 'WEAK' | 'GOLD' | 'REVIEW' | 'RETRACTION';

/** annotator.kind. */
export type AnnotatorKind = 'HUMAN' | 'TOOL' | 'MODEL' | 'LABELING_FUNCTION';

/** api_key.role. */
export type Role = 'ADMIN' | 'ML_ENGINEER' | 'QA_LEAD' | 'MANAGER' | 'LABELING_TOOL';

/** project.task_type. */
export type TaskType = 'MULTICLASS';
