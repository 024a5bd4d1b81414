import { loadConfig } from '../../src/config';
import { mergeClasses } from '../../src/services/label-studio-connector.service';

describe('mergeClasses', () => {
  it("appends the config's new choices after the project's classes, in the config's order", () => {
    expect(mergeClasses(['spam', 'ham'], ['ham', 'spam', 'promo', 'phish'])).toEqual({ classes: ['spam', 'ham', 'promo', 'phish'], added: ['promo', 'phish'], missing: [] });
  });

  it("lists the project's classes the config lacks", () => {
    expect(mergeClasses(['spam', 'ham', 'other'], ['spam', 'ham'])).toEqual({ classes: ['spam', 'ham', 'other'], added: [], missing: ['other'] });
  });

  it('does not modify its inputs', () => {
    const project = Object.freeze(['a', 'b']) as readonly string[];
    const config = Object.freeze(['b', 'c']) as readonly string[];
    expect(mergeClasses(project, config).classes).toEqual(['a', 'b', 'c']);
  });
});

describe('LOUPE_PUBLIC_URL', () => {
  it('is read without its trailing slash, and refused when it is no http(s) URL', () => {
    expect(loadConfig({ LOUPE_PUBLIC_URL: 'http://loupe:4000/' }).publicUrl).toBe('http://loupe:4000');
    expect(loadConfig({ LOUPE_PUBLIC_URL: 'https://labels.example.com/loupe' }).publicUrl).toBe('https://labels.example.com/loupe');
    expect(loadConfig({}).publicUrl).toBeUndefined();
    expect(() => loadConfig({ LOUPE_PUBLIC_URL: 'loupe:4000' })).toThrow(/LOUPE_PUBLIC_URL=loupe:4000: expected an http/);
  });
});
