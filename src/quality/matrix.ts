/**
 * Shared input handling for the pure numeric modules (quality and sampling).
 *
 * Public functions accept `number[][]` or a row-major `{rows, cols, data}` matrix, convert once with
 * {@link toMatrix}, validate, then hand typed arrays to inner routines that assume valid input.
 * Inputs are never modified: conversion copies `number[][]`, and typed inputs are only read.
 */
import { ROW_SUM_TOLERANCE } from './internal/constants';

/** A dense row-major matrix. `data.length === rows * cols`. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array | Float32Array;
}

/** What the public surface accepts for a matrix. */
export type MatrixInput = ReadonlyArray<ReadonlyArray<number | null>> | Matrix;

/** What the public surface accepts for a vector of class indices. */
export type LabelsInput = ReadonlyArray<number> | Int32Array;

/** Error thrown by the numeric library: the message names the function and the argument. */
export class QualityInputError extends Error {
  constructor(fn: string, arg: string, problem: string) {
    super(`${fn}: ${arg} ${problem}`);
    this.name = 'QualityInputError';
  }
}

function isMatrix(x: unknown): x is Matrix {
  return typeof x === 'object' && x !== null && 'data' in x && 'rows' in x && 'cols' in x;
}

/**
 * Converts a matrix input to `{rows, cols, data}`. `number[][]` is copied into a Float64Array (`null` → NaN);
 * a typed matrix is returned as is (never written to). Throws on ragged rows or a wrong data length.
 */
export function toMatrix(x: MatrixInput, fn: string, arg: string): Matrix {
  if (isMatrix(x)) {
    if (!Number.isInteger(x.rows) || !Number.isInteger(x.cols) || x.rows < 0 || x.cols < 0) {
      throw new QualityInputError(fn, arg, 'has invalid rows/cols');
    }
    if (x.data.length !== x.rows * x.cols) {
      throw new QualityInputError(fn, arg, `data length ${x.data.length} is not rows*cols = ${x.rows * x.cols}`);
    }
    return x;
  }
  if (!Array.isArray(x)) throw new QualityInputError(fn, arg, 'must be number[][] or {rows, cols, data}');
  const rows = x.length;
  const cols = rows > 0 ? (x[0] as ReadonlyArray<number | null>).length : 0;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = x[i];
    if (!Array.isArray(row) || row.length !== cols) {
      throw new QualityInputError(fn, arg, `is ragged: row ${i} has length ${Array.isArray(row) ? row.length : 'n/a'}, expected ${cols}`);
    }
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = row[j];
      data[o + j] = v === null || v === undefined ? NaN : v;
    }
  }
  return { rows, cols, data };
}

/** Copies a matrix back to `number[][]` (for results whose contract is `number[][]`). */
export function toArrays(m: Matrix): number[][] {
  const out: number[][] = new Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols));
  return out;
}

/**
 * Validates a probability matrix: finite, non-negative, each row summing to 1 within {@link ROW_SUM_TOLERANCE}.
 * Returns the matrix as `{rows, cols, data}`.
 */
export function toProbMatrix(x: MatrixInput, fn: string, arg = 'predProbs'): Matrix {
  const m = toMatrix(x, fn, arg);
  const { rows, cols, data } = m;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = data[o + j];
      if (!Number.isFinite(v)) throw new QualityInputError(fn, arg, `row ${i} column ${j} is not a finite number`);
      if (v < 0) throw new QualityInputError(fn, arg, `row ${i} column ${j} is negative`);
      s += v;
    }
    if (Math.abs(s - 1) > ROW_SUM_TOLERANCE) throw new QualityInputError(fn, arg, `row ${i} does not sum to 1 (sum ${s})`);
  }
  return m;
}

/**
 * Converts labels to an Int32Array of class indices in 0..k-1 (copies `number[]`; returns an Int32Array as is).
 * Throws naming the index of the first label that is not an integer in range.
 */
export function toLabels(x: LabelsInput, k: number, fn: string, arg = 'labels'): Int32Array {
  if (!(x instanceof Int32Array) && !Array.isArray(x)) throw new QualityInputError(fn, arg, 'must be number[] or Int32Array');
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (!Number.isInteger(v) || v < 0 || v >= k) {
      throw new QualityInputError(fn, arg, `index ${i} is ${v}, not a class index in 0..${k - 1}`);
    }
  }
  return x instanceof Int32Array ? x : Int32Array.from(x);
}

/**
 * Converts a matrix of categorical answers with missing values (N × M; `null`/NaN = missing) to an Int32Array
 * with -1 for missing. Every present value must be an integer in 0..k-1 when `k` is given.
 */
export function toLabelMatrix(
  x: MatrixInput,
  fn: string,
  arg: string,
  k?: number,
): { rows: number; cols: number; data: Int32Array } {
  const m = toMatrix(x, fn, arg);
  const data = new Int32Array(m.rows * m.cols);
  for (let t = 0; t < data.length; t++) {
    const v = m.data[t];
    if (Number.isNaN(v)) { data[t] = -1; continue; }
    if (!Number.isInteger(v) || v < 0 || (k !== undefined && v >= k)) {
      const i = Math.floor(t / m.cols);
      const j = t % m.cols;
      throw new QualityInputError(fn, arg, `row ${i} column ${j} is ${v}, not a class index${k !== undefined ? ` in 0..${k - 1}` : ''}`);
    }
    data[t] = v;
  }
  return { rows: m.rows, cols: m.cols, data };
}
