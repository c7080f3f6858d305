/*
 * What a student's answer is, in words and as numbers: the vocabulary of every `expect` message ("a vector
 * of 19 numbers", "a 2×2 matrix", "a Promise — did you forget await?"), so that feedback says what came in
 * kind and shape, never by dumping the value.
 */

/** A number, a vector or a matrix read as flat float64 values with its shape ([] for a number). */
export interface Numeric {
  shape: number[];
  values: Float64Array;
}

function isTensorLike(x: unknown): x is { shape: number[]; dataSync(): ArrayLike<number> } {
  const t = x as { shape?: unknown; dataSync?: unknown };
  return typeof x === 'object' && x !== null && Array.isArray(t.shape) && typeof t.dataSync === 'function';
}

function isNumberList(x: unknown): x is ArrayLike<number> {
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return typeof (x as unknown as ArrayLike<unknown>)[0] !== 'bigint';
  return Array.isArray(x) && x.every((v) => typeof v === 'number');
}

/**
 * A number, a vector (an array or typed array of numbers), a matrix (rows of equal length) or a tfjs
 * tensor as `Numeric`; undefined for anything else (a string, a ragged array, a disposed tensor, …).
 *
 * @example
 * import { numericValue } from 'maml-lab/homework';
 * numericValue([[1, 2], [3, 4]])?.shape; // [2, 2]
 * numericValue('3'); // undefined
 */
export function numericValue(x: unknown): Numeric | undefined {
  if (typeof x === 'number') return { shape: [], values: Float64Array.of(x) };
  if (isNumberList(x)) return { shape: [x.length], values: Float64Array.from(x) };
  if (Array.isArray(x) && x.length > 0 && x.every(isNumberList)) {
    const columns = (x[0] as ArrayLike<number>).length;
    if (!x.every((row: ArrayLike<number>) => row.length === columns)) return undefined;
    return { shape: [x.length, columns], values: Float64Array.from(x.flatMap((row: ArrayLike<number>) => Array.from(row))) };
  }
  if (isTensorLike(x)) {
    try {
      return { shape: [...x.shape], values: Float64Array.from(x.dataSync()) };
    } catch {
      return undefined; // a disposed tensor: described as such by `describeValue`
    }
  }
  return undefined;
}

/**
 * A number, vector or matrix of a given shape, in words: "a number", "a vector of 3 numbers", "a 2×2 matrix",
 * "an array of shape [2, 3, 4]".
 *
 * @example
 * import { describeShape } from 'maml-lab/homework';
 * describeShape([19]); // "a vector of 19 numbers"
 * describeShape([2, 2]); // "a 2×2 matrix"
 */
export function describeShape(shape: readonly number[]): string {
  if (shape.length === 0) return 'a number';
  if (shape.length === 1) return `a vector of ${shape[0]} number${shape[0] === 1 ? '' : 's'}`;
  if (shape.length === 2) return `a ${shape[0]}×${shape[1]} matrix`;
  return `an array of shape [${shape.join(', ')}]`;
}

/**
 * What a value is, in words, for feedback: its type and shape, never its contents (so the message stays
 * short and cannot echo a reference value).
 *
 * @example
 * import { describeValue } from 'maml-lab/homework';
 * describeValue(new Float64Array(19)); // "a vector of 19 numbers"
 * describeValue(Promise.resolve(1)); // "a Promise (did you forget await?)"
 * describeValue(undefined); // "undefined (did the function return nothing?)"
 */
export function describeValue(x: unknown): string {
  if (x === undefined) return 'undefined (did the function return nothing?)';
  if (x === null) return 'null';
  if (typeof x === 'number') return Number.isNaN(x) ? 'NaN' : Number.isFinite(x) ? 'a number' : `${x}`;
  if (typeof x === 'function') return `a function of ${x.length} parameter${x.length === 1 ? '' : 's'}`;
  if (typeof x !== 'object') return `a ${typeof x}`;
  if (typeof (x as { then?: unknown }).then === 'function') return 'a Promise (did you forget await?)';
  if (isTensorLike(x)) return numericValue(x) ? `a tensor of shape [${x.shape.join(', ')}]` : 'a disposed tensor';
  const numeric = numericValue(x);
  if (numeric) return describeShape(numeric.shape);
  if (Array.isArray(x)) return x.some(Array.isArray) ? `an array of ${x.length} rows, not all numbers or not all of one length` : `an array of ${x.length} entries, not all numbers`;
  return 'an object';
}
