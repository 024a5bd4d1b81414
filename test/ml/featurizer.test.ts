import { readCsv } from '../helpers/csv';
import { readdirSync } from 'node:fs';
import { FeaturizerJSON, TextFeaturizer, fitTextFeaturizer } from '../../src/ml/featurizer';
import { fit } from '../../src/ml/classifier';
import { initBackend } from '../../src/ml/backend';
import { fixturePath } from '../helpers/fixtures';
import { createRng, shuffleInPlace } from '../../src/quality/rng';

const corpus = [
  'Win a FREE iPhone now!!! Click http://spam.example.com to claim your prize',
  'Meeting moved to 3pm tomorrow, see the agenda attached',
  'cheap meds, no prescription, click here',
  'Can you review my pull request before Friday?',
  'Congratulations, you won a prize: click to claim',
  'The agenda for tomorrow: budget review and hiring',
  'Ünïcödé wörds — naïve café résumé',
  '',
];

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}


describe('fitTextFeaturizer / TextFeaturizer', () => {
  it('is deterministic: two featurizers fitted on the same corpus give identical vectors', () => {
    const a = fitTextFeaturizer(corpus, { minDf: 1 });
    const b = fitTextFeaturizer(corpus.slice(), { minDf: 1 });
    const va = a.transform(corpus);
    const vb = b.transform(corpus);
    expect(Buffer.from(va.data.buffer).equals(Buffer.from(vb.data.buffer))).toBe(true);
    // same text → same vector, whether alone or in a batch, and wherever it sits in the batch
    expect(Array.from(a.transformOne(corpus[3]))).toEqual(Array.from(va.data.subarray(3 * 2048, 4 * 2048)));
    const rev = a.transform(corpus.slice().reverse());
    for (let i = 0; i < corpus.length; i++) {
      const j = corpus.length - 1 - i;
      expect(Array.from(rev.data.subarray(j * 2048, (j + 1) * 2048))).toEqual(Array.from(va.data.subarray(i * 2048, (i + 1) * 2048)));
    }
  });

  it('gives unit-norm rows, zeros for an empty text, and similar texts closer than unrelated ones', () => {
    const f = fitTextFeaturizer(corpus, { minDf: 1 });
    const v = f.transform(corpus);
    expect(v.rows).toBe(corpus.length);
    expect(v.cols).toBe(2048);
    for (let i = 0; i < corpus.length - 1; i++) expect(Math.sqrt(dot(v.data.subarray(i * 2048, (i + 1) * 2048), v.data.subarray(i * 2048, (i + 1) * 2048)))).toBeCloseTo(1, 5);
    expect(v.data.subarray(7 * 2048).every((x) => x === 0)).toBe(true);
    const row = (i: number) => v.data.subarray(i * 2048, (i + 1) * 2048);
    // prize spam vs prize spam > prize spam vs meeting agenda
    expect(dot(row(0), row(4))).toBeGreaterThan(dot(row(0), row(1)) + 0.05);
    expect(dot(row(1), row(5))).toBeGreaterThan(dot(row(1), row(2)) + 0.05);
    // case-insensitive, unicode letters are tokens
    expect(Array.from(f.transformOne('MEETING moved'))).toEqual(Array.from(f.transformOne('meeting Moved')));
    expect(f.transformOne('café résumé').some((x) => x !== 0)).toBe(true);
  });

  it('depends on its seed and options', () => {
    const a = fitTextFeaturizer(corpus, { minDf: 1, seed: 1 }).transformOne(corpus[0]);
    const b = fitTextFeaturizer(corpus, { minDf: 1, seed: 2 }).transformOne(corpus[0]);
    expect(Array.from(a)).not.toEqual(Array.from(b));
    const small = fitTextFeaturizer(corpus, { minDf: 1, dims: 64, charNgramRange: null, wordNgramRange: [1, 1] });
    expect(small.transformOne(corpus[0])).toHaveLength(64);
  });

  it('drops buckets seen in fewer than minDf documents', () => {
    const f = fitTextFeaturizer(corpus, { minDf: 2, charNgramRange: null });
    // "pull request" appears once in the corpus: with minDf 2 it contributes nothing
    expect(f.transformOne('pull request').every((x) => x === 0)).toBe(true);
    expect(f.transformOne('agenda tomorrow').some((x) => x !== 0)).toBe(true);
  });

  it('round-trips through JSON and gives identical vectors', () => {
    const f = fitTextFeaturizer(corpus, { minDf: 1, dims: 256, hashBits: 12, seed: 5 });
    const json = JSON.stringify(f.toJSON());
    const back = TextFeaturizer.fromJSON(json);
    expect(back.options).toEqual(f.options);
    expect(back.numDocs).toBe(corpus.length);
    expect(Array.from(back.transform(corpus).data)).toEqual(Array.from(f.transform(corpus).data));
    const obj = JSON.parse(json) as FeaturizerJSON;
    expect(() => TextFeaturizer.fromJSON({ ...obj, idf: obj.idf.slice(0, 100) })).toThrow(/TextFeaturizer.fromJSON: json.idf must hold 2\^12 float32 values/);
    expect(() => TextFeaturizer.fromJSON({ ...obj, version: 2 } as never)).toThrow(/TextFeaturizer.fromJSON: json is not/);
  });

  it('never modifies its inputs', () => {
    const copy = corpus.slice();
    const f = fitTextFeaturizer(copy, { minDf: 1 });
    f.transform(copy);
    expect(copy).toEqual(corpus);
  });

  it('validates its inputs with errors naming the function and argument', () => {
    expect(() => fitTextFeaturizer([])).toThrow('fitTextFeaturizer: corpus is empty');
    expect(() => fitTextFeaturizer(['a', 3 as never])).toThrow('fitTextFeaturizer: corpus index 1 is not a string');
    expect(() => fitTextFeaturizer(corpus, { dims: 0 })).toThrow(/fitTextFeaturizer: opts.dims must be an integer/);
    expect(() => fitTextFeaturizer(corpus, { hashBits: 30 })).toThrow(/fitTextFeaturizer: opts.hashBits must be an integer in 8..24/);
    expect(() => fitTextFeaturizer(corpus, { wordNgramRange: [2, 1] })).toThrow(/fitTextFeaturizer: opts.wordNgramRange must be/);
    expect(() => fitTextFeaturizer(corpus, { charNgramRange: [0, 3] })).toThrow(/fitTextFeaturizer: opts.charNgramRange must be/);
    const f = fitTextFeaturizer(corpus);
    expect(() => f.transform([null as never])).toThrow('TextFeaturizer.transform: texts index 0 is not a string');
  });

  it('separates YouTube spam comments (UCI TubeSpam) with a softmax model on its vectors', async () => {
    // the full SpamAssassin quality bar (≥ 0.975) is measured in bench/ml.bench.ts; this is the small honest check
    await initBackend('auto', { log: () => undefined });
    const dir = fixturePath('data', 'youtube-spam');
    const texts: string[] = [];
    const labels: number[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.csv')).sort()) {
      const { header: hdr, rows } = readCsv(`${dir}/${file}`);
      const ci = hdr.indexOf('CONTENT');
      const li = hdr.indexOf('label');
      for (const r of rows) { texts.push(r[ci]); labels.push(Number(r[li])); }
    }
    expect(texts).toHaveLength(1956);
    // stratified 75/25 split, seeded
    const rng = createRng(0);
    const train: number[] = [];
    const test: number[] = [];
    for (const c of [0, 1]) {
      const idx = shuffleInPlace(Int32Array.from(labels.flatMap((v, i) => (v === c ? [i] : []))), rng);
      idx.forEach((v, t) => (t < Math.round(idx.length * 0.25) ? test : train).push(v));
    }
    const f = fitTextFeaturizer(train.map((i) => texts[i]));
    const Xtr = f.transform(train.map((i) => texts[i]));
    const Xte = f.transform(test.map((i) => texts[i]));
    const m = await fit(Xtr, Int32Array.from(train.map((i) => labels[i])), { seed: 0 });
    const pred = m.predict(Xte);
    const acc = test.filter((i, t) => pred[t] === labels[i]).length / test.length;
    // measured 0.961 here (seed 0); published TubeSpam results with bag-of-words classifiers are 0.90–0.96
    expect(acc).toBeGreaterThanOrEqual(0.92);
  });
});
