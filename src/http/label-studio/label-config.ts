import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { badInput, clip, LoupeError } from '../../errors';

/** The object tags a single-choice classification may label, as Label Studio names them. */
export const OBJECT_TAGS = ['Text', 'HyperText', 'Image'] as const;
export type ObjectTag = (typeof OBJECT_TAGS)[number];

/** What Loupe uses of a Label Studio label config: one single-choice `<Choices>` over one object tag. */
export interface LabelConfig {
  /** The `<Choices name>`: a result's `from_name`. */
  fromName: string;
  /** The object tag's `name` (the Choices' `toName`): a result's `to_name`. */
  toName: string;
  /** The task data key the object reads (its `value`, `$text` → `text`). */
  dataKey: string;
  objectTag: ObjectTag;
  /** The `<Choice value>`s, in order. */
  classes: string[];
}

/** An element as fast-xml-parser gives it with `preserveOrder`: one key (the tag) → children, and `:@` → attributes. */
type Node = Record<string, unknown>;

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', preserveOrder: true, parseAttributeValue: false, trimValues: true });

const tagOf = (n: Node): string | null => Object.keys(n).find((k) => k !== ':@' && k !== '#text') ?? null;
const attrsOf = (n: Node): Record<string, string> => (n[':@'] as Record<string, string> | undefined) ?? {};
const childrenOf = (n: Node, tag: string): Node[] => (Array.isArray(n[tag]) ? (n[tag] as Node[]) : []);

/** Every element under `nodes`, depth first in document order. */
function* elements(nodes: Node[]): Generator<{ tag: string; attrs: Record<string, string>; node: Node }> {
  for (const n of nodes) {
    const tag = tagOf(n);
    if (tag === null) continue;
    yield { tag, attrs: attrsOf(n), node: n };
    yield* elements(childrenOf(n, tag));
  }
}

/** Label Studio's single-choice modes (`choice` absent means single). */
const isSingleChoice = (mode: string | undefined): boolean => mode === undefined || mode === 'single' || mode === 'single-radio';

/**
 * Reads a Label Studio label config (XML): exactly one single-choice `<Choices>` whose `toName` is a `<Text>`,
 * `<HyperText>` or `<Image>` reading a task data key (`value="$key"`). Throws BAD_USER_INPUT naming `field` when the XML
 * is malformed, when there is no such Choices or more than one, or when its choices are empty or repeated.
 */
export function parseLabelConfig(xml: unknown, field = 'schema'): LabelConfig {
  if (typeof xml !== 'string' || xml.trim() === '') throw badInput(field, 'must be the label config XML');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw badInput(field, `malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  let root: Node[];
  try {
    root = parser.parse(xml) as Node[];
  } catch (e) {
    if (e instanceof LoupeError) throw e;
    throw badInput(field, `malformed XML: ${clip((e as Error).message)}`);
  }
  const all = [...elements(root)];
  const choices = all.filter((e) => e.tag === 'Choices' && isSingleChoice(e.attrs.choice));
  if (choices.length === 0) throw badInput(field, 'has no single-choice <Choices> (choice="single" or no choice attribute): Loupe learns one class per task');
  if (choices.length > 1) {
    throw badInput(field, `has ${choices.length} single-choice <Choices> (${choices.map((c) => clip(c.attrs.name ?? '?')).join(', ')}); Loupe learns exactly one`);
  }
  const c = choices[0];
  const fromName = c.attrs.name;
  const toName = c.attrs.toName;
  if (!fromName) throw badInput(field, '<Choices> has no name');
  if (!toName) throw badInput(field, `<Choices name="${clip(fromName)}"> has no toName`);
  const target = all.find((e) => (OBJECT_TAGS as readonly string[]).includes(e.tag) && e.attrs.name === toName);
  if (!target) {
    throw badInput(field, `<Choices name="${clip(fromName)}"> labels "${clip(toName)}", which is no <Text>, <HyperText> or <Image> of the config`);
  }
  const value = target.attrs.value ?? '';
  if (!value.startsWith('$') || value.length < 2) {
    throw badInput(field, `<${target.tag} name="${clip(toName)}"> must read a task data key (value="$key"), has value="${clip(value)}"`);
  }
  const classes: string[] = [];
  for (const e of elements(childrenOf(c.node, c.tag))) {
    if (e.tag !== 'Choice') continue;
    const v = (e.attrs.value ?? '').trim();
    if (v === '') throw badInput(field, `<Choices name="${clip(fromName)}"> has a <Choice> without a value`);
    if (classes.includes(v)) throw badInput(field, `<Choices name="${clip(fromName)}"> repeats the choice "${clip(v)}"`);
    classes.push(v);
  }
  if (classes.length === 0) throw badInput(field, `<Choices name="${clip(fromName)}"> has no <Choice>`);
  return { fromName, toName, dataKey: value.slice(1), objectTag: target.tag as ObjectTag, classes };
}
