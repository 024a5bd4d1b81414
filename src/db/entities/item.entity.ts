import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { float32Transformer } from '../float32';

@Entity('item')
export class ItemEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'project_id' }) projectId: string;
  @Column('text', { name: 'external_id' }) externalId: string;
  @Column('text', { nullable: true }) text: string | null;
  @Column('jsonb', { nullable: true }) data: Record<string, unknown> | null;
  /** float32 little-endian, `embeddingDim` of the project. */
  @Column('bytea', { nullable: true, transformer: float32Transformer }) embedding: Float32Array | null;
  /** Derived from HUMAN/GOLD votes (majority) or the latest REVIEW; maintained by the annotation service. */
  @Column('smallint', { name: 'current_label', nullable: true }) currentLabel: number | null;
  @Column('real', { name: 'label_share', nullable: true }) labelShare: number | null;
  @Column('integer', { name: 'label_votes' }) labelVotes: number;
  @Column('text', { name: 'label_source', nullable: true }) labelSource: 'MAJORITY_VOTE' | 'REVIEW' | null;
  /** HUMAN and GOLD votes per class index (shorter than the classes → 0 for the rest). */
  @Column('integer', { name: 'label_counts', array: true }) labelCounts: number[];
  /** The latest REVIEW annotation's class index and time (ties in time → lowest index). */
  @Column('smallint', { name: 'review_label', nullable: true }) reviewLabel: number | null;
  @Column('timestamptz', { name: 'review_at', nullable: true }) reviewAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
