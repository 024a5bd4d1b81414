import { csvField, csvLine, exportChunks, jsonlLine } from '../../src/http/writers';
import type { SnapshotItem } from '../../src/services/snapshot.service';

const item = (externalId: string, label: string | null): SnapshotItem => ({
  externalId,
  itemId: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  label,
  lineage: {
    annotationIds: ['a1', 'a2'],
    annotators: ['ann', 'bob'],
    guidelineVersion: 'v1',
    annotationGuidelineVersions: ['v1'],
    qaStatus: 'CONSENSUS',
    votes: 2,
    agreeing: 2,
    labelIssue: null,
    modelVersion: null,
  },
});

async function* pagesOf(...pages: SnapshotItem[][]): AsyncGenerator<SnapshotItem[]> {
  for (const p of pages) yield p;
}

async function collect(g: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const c of g) out.push(c);
  return out;
}

describe('CSV and JSONL writers', () => {
  test('a CSV field is quoted only when it holds a quote, comma or line break; null is empty', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(3)).toBe('3');
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  test('a CSV row holds the columns in order, lists joined by ";", the lineage as canonical JSON, CRLF', () => {
    const line = csvLine(item('e,1', 'spam'));
    expect(line.endsWith('\r\n')).toBe(true);
    expect(line.startsWith('"e,1",0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b,spam,CONSENSUS,2,2,ann;bob,a1;a2,v1,,,"{')).toBe(true);
    expect(line).toContain('""agreeing"":2,""annotationGuidelineVersions"":[""v1""]');
  });

  test('a JSONL line is the canonical JSON of externalId, itemId, label and lineage, then a newline', () => {
    const line = jsonlLine(item('e1', null));
    expect(line.endsWith('}\n')).toBe(true);
    expect(JSON.parse(line)).toEqual({ externalId: 'e1', itemId: item('e1', null).itemId, label: null, lineage: item('e1', null).lineage });
    expect(line.indexOf('"externalId"')).toBeLessThan(line.indexOf('"itemId"'));
  });

  test('one chunk per page; CSV starts with its header chunk', async () => {
    const csv = await collect(exportChunks(pagesOf([item('a', 'x'), item('b', 'y')], [item('c', null)]), 'csv'));
    expect(csv).toHaveLength(3);
    expect(csv[0]).toBe('external_id,item_id,label,qa_status,votes,agreeing,annotators,annotation_ids,guideline_version,model_version_id,predicted_label,lineage\r\n');
    expect(csv[1]).toBe(csvLine(item('a', 'x')) + csvLine(item('b', 'y')));
    const jsonl = await collect(exportChunks(pagesOf([item('a', 'x')]), 'jsonl'));
    expect(jsonl).toEqual([jsonlLine(item('a', 'x'))]);
    expect(await collect(exportChunks(pagesOf(), 'jsonl'))).toEqual([]);
  });
});
