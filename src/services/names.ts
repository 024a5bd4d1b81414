import { badInput } from '../errors';

/** The longest name an annotator, a labeling function or another named thing may have. */
export const MAX_NAME = 200;

/** `name` when it is a non-empty string of at most MAX_NAME characters; otherwise throws naming `field`. */
export function checkName(name: unknown, field: string): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > MAX_NAME) throw badInput(field, `must be a non-empty name of at most ${MAX_NAME} characters`);
  return name;
}
