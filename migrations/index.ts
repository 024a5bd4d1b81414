import { InitialSchema1764000000000 } from './1764000000000-initial-schema';
import { ModelLoop1764100000000 } from './1764100000000-model-loop';

/** Every migration, oldest first. Passed to TypeORM as classes so the same list works compiled and under ts-jest. */
export const migrations = [InitialSchema1764000000000, ModelLoop1764100000000];
