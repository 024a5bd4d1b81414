import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type AnnotationKind = 'HUMAN' | 'MODEL' | 'WEAK' | 'GOLD' | 'REVIEW' | 'RETRACTION';

/** Append-only: a database trigger refuses UPDATE. Replaced and retracted ones are listed in `annotation_replaced`. */
@Entity('annotation')
export class AnnotationEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'project_id' }) projectId: string;
  @Column('uuid', { name: 'item_id' }) itemId: string;
  @Column('uuid', { name: 'annotator_id' }) annotatorId: string;
  /** Index into the project's classes. */
  @Column('smallint') label: number;
  @Column('text') kind: AnnotationKind;
  @Column('real', { nullable: true }) confidence: number | null;
  @Column('integer', { name: 'duration_ms', nullable: true }) durationMs: number | null;
  @Column('text', { name: 'guideline_version', nullable: true }) guidelineVersion: string | null;
  @Column('text', { name: 'client_mutation_id', nullable: true }) clientMutationId: string | null;
  @Column('uuid', { name: 'api_key_id', nullable: true }) apiKeyId: string | null;
  /** For a RETRACTION: the annotation it withdraws. */
  @Column('uuid', { nullable: true }) retracts: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
