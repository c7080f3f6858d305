/**
 * Argument checks shared by every public entry point. Each message names the argument and what was wrong,
 * so a user sees "alpha must be a finite number > 0, got NaN" instead of a NaN result or a tfjs stack.
 */

/**
 * Throws unless `value` is a finite number greater than zero.
 *
 * @example
 * requirePositive('alpha', 0.01); // ok
 * requirePositive('alpha', -1);   // throws "alpha must be a finite number > 0, got -1"
 */
export function requirePositive(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a finite number > 0, got ${describe(value)}`);
  }
}

/**
 * Throws unless `value` is an integer ≥ `min`.
 *
 * @example
 * requireInteger('steps', 3, 1); // ok
 * requireInteger('steps', 0, 1); // throws "steps must be an integer ≥ 1, got 0"
 */
export function requireInteger(name: string, value: unknown, min: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${describe(value)}`);
  }
}

/**
 * Throws unless every entry of `values` is a finite number; the message gives the first bad index.
 *
 * @example
 * requireFinite('train.y', [1, 2]);   // ok
 * requireFinite('train.y', [1, NaN]); // throws "train.y[1] must be finite, got NaN"
 */
export function requireFinite(name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RangeError(`${name}[${i}] must be finite, got ${describe(v)}`);
    }
  }
}

/**
 * Throws unless `value` is a non-empty rectangular array of finite numbers, `[rows][columns]`, and returns
 * it flattened row-major with its shape. `columns`, when given, is the width the caller needs.
 *
 * @example
 * requireMatrix('x', [[1], [2]]);    // { values: Float64Array [1, 2], shape: [2, 1] }
 * requireMatrix('x', [[1], [2, 3]]); // throws "x[1] has 2 entries, but x[0] has 1"
 */
export function requireMatrix(
  name: string,
  value: unknown,
  columns?: number,
): { values: Float64Array; shape: [number, number] } {
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError(`${name} must be a non-empty array of rows [points][features], got ${describe(value)}`);
  }
  const width = Array.isArray(value[0]) ? value[0].length : -1;
  if (width < 1) throw new TypeError(`${name}[0] must be a non-empty array of numbers, got ${describe(value[0])}`);
  if (columns !== undefined && width !== columns) {
    throw new RangeError(`${name} must have ${columns} column(s) per row, got ${width}`);
  }
  const values = new Float64Array(value.length * width);
  value.forEach((row: unknown, i: number) => {
    if (!Array.isArray(row)) throw new TypeError(`${name}[${i}] must be an array of numbers, got ${describe(row)}`);
    if (row.length !== width) throw new RangeError(`${name}[${i}] has ${row.length} entries, but ${name}[0] has ${width}`);
    row.forEach((v: unknown, j: number) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new RangeError(`${name}[${i}][${j}] must be a finite number, got ${describe(v)}`);
      }
      values[i * width + j] = v;
    });
  });
  return { values, shape: [value.length, width] };
}

function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined || value === null) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return typeof value;
}
