import { LoupeError } from '../../src/errors';
import { basicPassword, taskToItem } from '../../src/http/label-studio/router';
import { topClass } from '../../src/services/label-studio-prediction.service';

const text = { fromName: 'sentiment', toName: 'text', dataKey: 'text', objectTag: 'Text' };
const image = { fromName: 'kind', toName: 'img', dataKey: 'image', objectTag: 'Image' };

describe('taskToItem', () => {
  it('keeps a text task as an item with externalId ls-<id> and the data key as text', () => {
    expect(taskToItem({ id: 7, data: { text: 'hello', other: 1 }, annotations: [] }, 0, text)).toEqual({ externalId: 'ls-7', text: 'hello' });
  });

  it('keeps an image task URL in data under its key', () => {
    expect(taskToItem({ id: '12', data: { image: 'https://x.test/a.jpg' } }, 0, image)).toEqual({ externalId: 'ls-12', data: { image: 'https://x.test/a.jpg' } });
  });

  it('refuses tasks without an id, data or the data key, naming the task', () => {
    const refused = (task: unknown): string => {
      try {
        taskToItem(task, 3, text);
      } catch (e) {
        expect(e).toBeInstanceOf(LoupeError);
        return (e as LoupeError).message;
      }
      throw new Error('expected a refusal');
    };
    expect(refused(null)).toMatch(/^tasks\[3\]: must be a task object/);
    expect(refused({ data: { text: 'x' } })).toMatch(/^tasks\[3\]\.id/);
    expect(refused({ id: 1.5, data: { text: 'x' } })).toMatch(/^tasks\[3\]\.id/);
    expect(refused({ id: 1 })).toMatch(/^tasks\[3\]\.data: must be an object/);
    expect(refused({ id: 1, data: { text: 5 } })).toMatch(/^tasks\[3\]\.data\.text: must be a string/);
  });
});

describe('basicPassword', () => {
  it('reads the password of a Basic header (which may hold colons) and ignores other schemes', () => {
    expect(basicPassword(`Basic ${Buffer.from('user:lp_a:b').toString('base64')}`)).toBe('lp_a:b');
    expect(basicPassword('Bearer lp_x')).toBeNull();
    expect(basicPassword(undefined)).toBeNull();
    expect(basicPassword(`Basic ${Buffer.from('nocolon').toString('base64')}`)).toBeNull();
  });
});

describe('topClass', () => {
  it('is the most probable class (the first on ties) and its probability', () => {
    expect(topClass(Float32Array.from([0.25, 0.5, 0.25]), ['a', 'b', 'c'])).toEqual({ label: 'b', score: 0.5 });
    expect(topClass(Float32Array.from([0.5, 0.5]), ['a', 'b'])).toEqual({ label: 'a', score: 0.5 });
  });
});
