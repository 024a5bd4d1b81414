import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type AnnotatorKind = 'HUMAN' | 'TOOL' | 'MODEL' | 'LABELING_FUNCTION';

@Entity('annotator')
export class AnnotatorEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('uuid', { name: 'project_id' }) projectId: string;
  @Column('text') name: string;
  @Column('text') kind: AnnotatorKind;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
