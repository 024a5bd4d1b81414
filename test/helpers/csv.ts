import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';

/** Every record of an RFC 4180 text (quoted fields, "" escapes, newlines inside quotes, LF or CRLF rows), header included. */
export function parseCsv(text: string): string[][] {
  return parse(text, { skip_empty_lines: true }) as string[][];
}

/** A CSV file's header and data rows. */
export function readCsv(path: string): { header: string[]; rows: string[][] } {
  const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
  return { header, rows };
}

/** A CSV file of numbers: its header and its cells row-major in a Float64Array (rows × cols). */
export function readNumericCsv(path: string): { header: string[]; rows: number; cols: number; data: Float64Array } {
  const { header, rows } = readCsv(path);
  const cols = header.length;
  const data = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => {
    if (r.length !== cols) throw new Error(`${path}: row ${i + 1} has ${r.length} fields, the header ${cols}`);
    for (let j = 0; j < cols; j++) data[i * cols + j] = Number(r[j]);
  });
  return { header, rows: rows.length, cols, data };
}
