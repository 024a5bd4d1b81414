import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLabelConfig } from '../../src/http/label-studio/label-config';
import { LoupeError } from '../../src/errors';

const setup = JSON.parse(readFileSync(join(__dirname, '../fixtures/label-studio/setup-text.json'), 'utf8')) as { schema: string };

const refused = (xml: unknown): string => {
  try {
    parseLabelConfig(xml);
  } catch (e) {
    expect(e).toBeInstanceOf(LoupeError);
    expect((e as LoupeError).code).toBe('BAD_USER_INPUT');
    return (e as LoupeError).message;
  }
  throw new Error('expected the config to be refused');
};

describe('parseLabelConfig', () => {
  it('reads the names, data key and choices in order of a text config', () => {
    expect(parseLabelConfig(setup.schema)).toEqual({
      fromName: 'sentiment',
      toName: 'text',
      dataKey: 'text',
      objectTag: 'Text',
      classes: ['Positive', 'Negative', 'Neutral'],
    });
  });

  it('reads an image config without a choice attribute (single by default) and nested views', () => {
    const xml = `<View><View><Image name="img" value="$image_url"/></View>
      <Choices name="kind" toName="img"><View><Choice value="cat"/></View><Choice value="dog"/></Choices></View>`;
    expect(parseLabelConfig(xml)).toEqual({ fromName: 'kind', toName: 'img', dataKey: 'image_url', objectTag: 'Image', classes: ['cat', 'dog'] });
  });

  it('ignores multiple-choice Choices beside the single one', () => {
    const xml = `<View><HyperText name="page" value="$html"/>
      <Choices name="tags" toName="page" choice="multiple"><Choice value="x"/></Choices>
      <Choices name="topic" toName="page" choice="single-radio"><Choice value="a"/><Choice value="b"/></Choices></View>`;
    expect(parseLabelConfig(xml)).toMatchObject({ fromName: 'topic', objectTag: 'HyperText', dataKey: 'html', classes: ['a', 'b'] });
  });

  it('refuses malformed XML, naming the line', () => {
    expect(refused('<View><Text name="t" value="$text"></View>')).toMatch(/^schema: malformed XML at line 1/);
    expect(refused('')).toMatch(/must be the label config XML/);
    expect(refused(42)).toMatch(/must be the label config XML/);
  });

  it('refuses a config without a single-choice Choices, or with two', () => {
    expect(refused('<View><Text name="t" value="$text"/><Labels name="l" toName="t"><Label value="A"/></Labels></View>')).toMatch(/no single-choice <Choices>/);
    expect(refused('<View><Text name="t" value="$text"/><Choices name="c" toName="t" choice="multiple"><Choice value="A"/></Choices></View>')).toMatch(
      /no single-choice <Choices>/,
    );
    expect(
      refused('<View><Text name="t" value="$text"/><Choices name="a" toName="t"><Choice value="A"/></Choices><Choices name="b" toName="t"><Choice value="B"/></Choices></View>'),
    ).toMatch(/has 2 single-choice <Choices> \(a, b\)/);
  });

  it('refuses Choices over no object tag, an object without a data key, empty or repeated choices', () => {
    expect(refused('<View><Audio name="a" value="$audio"/><Choices name="c" toName="a"><Choice value="A"/></Choices></View>')).toMatch(/no <Text>, <HyperText> or <Image>/);
    expect(refused('<View><Text name="t" value="fixed"/><Choices name="c" toName="t"><Choice value="A"/></Choices></View>')).toMatch(/must read a task data key/);
    expect(refused('<View><Text name="t" value="$text"/><Choices name="c" toName="t"></Choices></View>')).toMatch(/has no <Choice>/);
    expect(refused('<View><Text name="t" value="$text"/><Choices name="c" toName="t"><Choice value="A"/><Choice value="A"/></Choices></View>')).toMatch(/repeats the choice "A"/);
    expect(refused('<View><Text name="t" value="$text"/><Choices name="c" toName="t"><Choice/></Choices></View>')).toMatch(/without a value/);
  });
});
