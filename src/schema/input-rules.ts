import { ArrayMaxSize, ArrayMinSize, getMetadataStorage, IsInt, Max, MaxLength, Min, MinLength, validateSync, ValidationError } from 'class-validator';
import { getNamedType, GraphQLResolveInfo } from 'graphql';
import type { ValidatorFn } from 'type-graphql';
import { badInput } from '../errors';

/**
 * The size rules of input fields, as class-validator decorators whose message is the rule in our words
 * (`must have 1–200 characters`), and the validator type-graphql runs on every argument ({@link validateArg}): the
 * first failure becomes a BAD_USER_INPUT naming the argument path (`input.classes: must have 2–1,000 entries`).
 * Nothing of the value is quoted back.
 */

const num = (n: number): string => n.toLocaleString('en-US');
type Decorator = (target: object, key: string) => void;
const all = (...ds: PropertyDecorator[]): Decorator => (target, key) => ds.forEach((d) => d(target, key));

/** A string of `min`–`max` characters. */
export const Chars = (min: number, max: number): Decorator => {
  const message = `must have ${num(min)}–${num(max)} characters`;
  return all(MinLength(min, { message }), MaxLength(max, { message }));
};

/** A list of `min`–`max` entries (`max` omitted: no upper bound); `note` is added to the message. */
export const Entries = (min: number, max?: number, note = ''): Decorator => {
  const message = (max === undefined ? `must have at least ${num(min)} ${min === 1 ? 'entry' : 'entries'}` : `must have ${num(min)}–${num(max)} entries`) + note;
  return max === undefined ? all(ArrayMinSize(min, { message })) : all(ArrayMinSize(min, { message }), ArrayMaxSize(max, { message }));
};

/** An integer in `min`–`max`. */
export const IntIn = (min: number, max: number): Decorator => {
  const message = `must be an integer in ${num(min)}–${num(max)}`;
  return all(IsInt({ message }), Min(min, { message }), Max(max, { message }));
};

/** Input classes with class-validator rules (checked once per class). */
const hasRules = new Map<unknown, boolean>();
function ruled(cls: unknown): cls is new () => object {
  let r = hasRules.get(cls);
  if (r === undefined) {
    r = typeof cls === 'function' && getMetadataStorage().getTargetValidationMetadatas(cls, '', false, false).length > 0;
    hasRules.set(cls, r);
  }
  return r;
}

/** The argument of the current field whose input type is `cls` (input types are named after their class). */
function argName(info: GraphQLResolveInfo, cls: { name: string }): string {
  const args = info.parentType.getFields()[info.fieldName]?.args ?? [];
  return (args.find((a) => getNamedType(a.type).name === cls.name) ?? args.find((a) => getNamedType(a.type).name !== 'ID'))?.name ?? 'input';
}

/** The first failure in `errors`: its path below the argument and its message. */
function first(errors: ValidationError[], path: string): { path: string; message: string } | null {
  for (const e of errors) {
    const at = `${path}.${e.property}`;
    const msg = Object.values(e.constraints ?? {})[0];
    if (msg) return { path: at, message: msg };
    const inner = first(e.children ?? [], at);
    if (inner) return inner;
  }
  return null;
}

/**
 * type-graphql's validator for every argument: input objects (and lists of them) whose class has rules are checked
 * with class-validator, missing fields skipped; the first failure is thrown as badInput(path, rule).
 */
export const validateArg: ValidatorFn = (value, type, { info }) => {
  if (value === null || typeof value !== 'object' || !ruled(type)) return;
  const name = argName(info, type as { name: string });
  const list = Array.isArray(value) ? value : [value];
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (v === null || typeof v !== 'object') continue;
    const errors = validateSync(v as object, { skipMissingProperties: true, forbidUnknownValues: false, stopAtFirstError: true });
    const f = first(errors, Array.isArray(value) ? `${name}[${i}]` : name);
    if (f) throw badInput(f.path, f.message);
  }
};
