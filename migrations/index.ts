import { InitialSchema1764000000000 } from './1764000000000-initial-schema';

/** Every migration, oldest first. Passed to TypeORM as classes so the same list works compiled and under ts-jest. */
export const migrations = [InitialSchema1764000000000];
