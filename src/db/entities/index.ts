import { AnnotationEntity } from './annotation.entity';
import { AnnotatorEntity } from './annotator.entity';
import { ApiKeyEntity } from './api-key.entity';
import { ItemEntity } from './item.entity';
import { ProjectEntity } from './project.entity';

export const entities = [ProjectEntity, ItemEntity, AnnotatorEntity, AnnotationEntity, ApiKeyEntity];
