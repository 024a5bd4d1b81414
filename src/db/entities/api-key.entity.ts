import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type Role = 'ADMIN' | 'ML_ENGINEER' | 'QA_LEAD' | 'MANAGER' | 'LABELING_TOOL';

@Entity('api_key')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column('text') name: string;
  /** SHA-256 of the key (keys are 256-bit random, so a fast hash is enough). The key itself is never stored. */
  @Column('text', { name: 'key_hash' }) keyHash: string;
  /** First characters of the key, to recognise it in lists. */
  @Column('text') prefix: string;
  @Column('text') role: Role;
  /** null = every project. */
  @Column('uuid', { name: 'project_ids', array: true, nullable: true }) projectIds: string[] | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt: Date | null;
}
