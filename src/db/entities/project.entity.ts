import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type TaskType = 'MULTICLASS';

@Entity('project')
export class ProjectEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') name: string;
  /** Class names in order; annotations store the index into this list, so classes may only be appended. */
  @Column('text', { array: true }) classes: string[];
  @Column('text', { name: 'task_type' }) taskType: TaskType;
  @Column('integer', { name: 'embedding_dim', nullable: true }) embeddingDim: number | null;
  @Column('jsonb') settings: Record<string, unknown>;
  @Column('text', { name: 'guideline_version' }) guidelineVersion: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
