/**
 * PostgreSQL array literals (`{a,b,"c d"}`) for bulk parameters passed to `unnest($n::type[])`.
 *
 * The `pg` driver turns a JS array into the same text itself, but escapes every element with two regular-expression
 * replacements; for the 1,000–10,000-element arrays of a bulk write that was a measurable share of the server's CPU.
 * These build the literal in one pass and give it to the driver as a plain string. Works the same on PGlite.
 */

/** Elements that need no quoting: UUIDs we validated or generated. Never pass user text here. */
export function uuidArray(ids: readonly string[]): string {
  return `{${ids.join(',')}}`;
}

/** Integers or floats (finite), or null. */
export function numberArray(xs: ReadonlyArray<number | null>): string {
  let s = '{';
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (i) s += ',';
    if (x === null) s += 'NULL';
    else if (Number.isFinite(x)) s += String(x);
    else throw new RangeError(`array element ${i} is not a finite number: ${x}`);
  }
  return s + '}';
}

/**
 * Lists we built from UUIDs and integers, each element ':'-joined (`a:b:c`) or empty: none holds a character that
 * needs quoting, so they go unquoted (the empty string as `""`). Never pass user text here.
 */
export function joinedIdsArray(xs: readonly string[]): string {
  let s = '{';
  for (let i = 0; i < xs.length; i++) {
    if (i) s += ',';
    s += xs[i] === '' ? '""' : xs[i];
  }
  return s + '}';
}

const NEEDS_ESCAPE = /["\\]/;
const ESCAPE = /["\\]/g;

/** Any text, or null: every element is double-quoted, `"` and `\` backslash-escaped. */
export function textArray(xs: ReadonlyArray<string | null>): string {
  let s = '{';
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (i) s += ',';
    if (x === null) s += 'NULL';
    else s += NEEDS_ESCAPE.test(x) ? `"${x.replace(ESCAPE, '\\$&')}"` : `"${x}"`;
  }
  return s + '}';
}

/** true/false or null. */
export function boolArray(xs: ReadonlyArray<boolean | null>): string {
  let s = '{';
  for (let i = 0; i < xs.length; i++) {
    if (i) s += ',';
    s += xs[i] === null ? 'NULL' : xs[i] ? 't' : 'f';
  }
  return s + '}';
}
