import { formatError } from '../derivations/check';
import { maxAbsDifference, relativeError } from '../derivations/numeric';
import { TestFailure } from './question';
import { describeShape, describeValue, numericValue, type Numeric } from './values';

/*
 * The assertions tests are written with. Each failure says what was expected in kind (type, shape,
 * tolerance) and what came, and never prints an expected value, so that a failing test, public or hidden,
 * cannot hand the student the reference answer.
 */

/** How close `near` requires: a relative error in the 2-norm, or a largest entry-wise difference. */
export type NearTolerance = { relative: number; absolute?: never } | { absolute: number; relative?: never };

const DEFAULT_TOLERANCE: NearTolerance = { relative: 1e-6 };

function fail(message: string): never {
  throw new TestFailure(message);
}

/** The expected value of a test, read as numbers; an unreadable one is the test author's mistake, not the student's. */
function reference(expected: unknown, what: string): Numeric {
  const numeric = numericValue(expected);
  if (!numeric) throw new TypeError(`expect.${what}: the expected value must be a number, vector, matrix or tensor, got ${describeValue(expected)}`);
  return numeric;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The answer as numbers of the expected shape and all finite, or a failure saying what came instead. */
function numbersShaped(actual: unknown, shape: readonly number[]): Numeric {
  const numeric = numericValue(actual);
  if (!numeric || !sameShape(numeric.shape, shape)) fail(`expected ${describeShape(shape)}; got ${describeValue(actual)}`);
  const bad = numeric.values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) fail(`expected finite numbers; got ${numeric.values[bad]}${numeric.shape.length ? ` at entry ${bad}` : ''}`);
  return numeric;
}

function tolerance(t: NearTolerance | undefined): { kind: 'relative' | 'absolute'; bound: number } {
  const given = t ?? DEFAULT_TOLERANCE;
  const kinds = (['relative', 'absolute'] as const).filter((k) => given[k] !== undefined);
  if (kinds.length !== 1) throw new TypeError('expect.near: give exactly one tolerance, { relative } or { absolute }');
  const bound = given[kinds[0]] as number;
  if (!(bound >= 0)) throw new RangeError(`expect.near: the ${kinds[0]} tolerance must be a number ≥ 0, got ${bound}`);
  return { kind: kinds[0], bound };
}

/**
 * The assertions of a test. Each throws a `TestFailure` whose message says what was expected in kind and
 * what came, or returns nothing.
 *
 * - `near(actual, expected, { relative } | { absolute })`: a number, vector, matrix or tensor of the
 *   expected shape within the tolerance (relative: ‖a − e‖₂/‖e‖₂; absolute: max |a − e|; default relative 1e-6).
 * - `shape(value, dims)`: numbers of that shape (`[]` a number, `[n]` a vector, `[r, c]` a matrix).
 * - `finite(value)`: a number, vector, matrix or tensor with no NaN or ±Infinity.
 * - `equals(actual, expected)`: the same primitive, or arrays / plain objects equal entry by entry.
 * - `isFunction(value, parameters?)`: a function, declaring that many parameters when given.
 * - `atMost(value, bound)`, `atLeast(value, bound)`, `between(value, lo, hi)`: a finite number in range.
 * - `that(condition, expected)`: a condition the test computed; `expected` says in words what should hold.
 *
 * @example
 * import { expect } from 'maml-lab/homework';
 * expect.near([1, 2.0000001], [1, 2], { relative: 1e-6 }); // passes: returns nothing
 * try {
 *   expect.near([1, 3], [1, 2], { relative: 1e-6 });
 * } catch (e) {
 *   (e as Error).message; // "expected a vector of 2 numbers within relative error 1.0e-6 (2-norm) of the reference; got relative error 4.5e-1"
 * }
 */
export const expect = Object.freeze({
  near(actual: unknown, expected: unknown, within?: NearTolerance): void {
    const { kind, bound } = tolerance(within);
    const e = reference(expected, 'near');
    if (kind === 'relative') {
      // A relative comparison with a zero or empty reference, or a bound of 1 or more, passes an answer of
      // zeros: the test author's mistake, said as such (an absolute tolerance is the right tool there).
      if (e.values.length === 0 || e.values.every((v) => v === 0)) throw new TypeError('expect.near: a relative tolerance needs a nonzero reference (every answer of zeros would pass); use { absolute }');
      if (bound >= 1) throw new RangeError(`expect.near: a relative tolerance must be < 1 (an answer of zeros has relative error 1), got ${bound}`);
    }
    const a = numbersShaped(actual, e.shape);
    const error = kind === 'relative' ? relativeError(a.values, e.values) : maxAbsDifference(a.values, e.values);
    if (!(error <= bound)) {
      const measure = kind === 'relative' ? 'relative error' : 'largest difference';
      fail(`expected ${describeShape(e.shape)} within ${measure} ${formatError(bound)}${kind === 'relative' ? ' (2-norm)' : ''} of the reference; got ${measure} ${formatError(error)}`);
    }
  },

  shape(value: unknown, dims: readonly number[]): void {
    if (!Array.isArray(dims) || !dims.every((d) => Number.isInteger(d) && d >= 0)) throw new TypeError('expect.shape: dims must be an array of sizes, e.g. [19] or [2, 2]');
    const numeric = numericValue(value);
    if (!numeric || !sameShape(numeric.shape, dims)) fail(`expected ${describeShape(dims)}; got ${describeValue(value)}`);
  },

  finite(value: unknown): void {
    const numeric = numericValue(value);
    if (!numeric) fail(`expected a number, vector or matrix; got ${describeValue(value)}`);
    numbersShaped(value, numeric.shape);
  },

  equals(actual: unknown, expected: unknown): void {
    if (deepEqual(actual, expected)) return;
    if (expected === null || typeof expected !== 'object') {
      const came = actual === null || typeof actual !== 'object' ? `${typeof actual === 'string' ? JSON.stringify(actual.slice(0, 60)) : String(actual)}` : describeValue(actual);
      fail(`expected a particular ${expected === null ? 'value (null)' : typeof expected}; got ${came}`);
    }
    const a = numericValue(actual);
    const e = numericValue(expected);
    const differsAt = a && e && sameShape(a.shape, e.shape) ? a.values.findIndex((v, i) => !Object.is(v, e.values[i])) : -1;
    fail(`expected ${describeValue(expected)} equal entry by entry to the reference; got ${differsAt >= 0 ? `one that differs at entry ${differsAt}` : describeValue(actual)}`);
  },

  isFunction(value: unknown, parameters?: number): void {
    const wanted = parameters === undefined ? 'a function' : `a function of ${parameters} parameter${parameters === 1 ? '' : 's'}`;
    if (typeof value !== 'function' || (parameters !== undefined && value.length !== parameters)) fail(`expected ${wanted}; got ${describeValue(value)}`);
  },

  atMost(value: unknown, bound: number): void {
    const x = numbersShaped(value, []).values[0];
    if (!(x <= bound)) fail(`expected a number ≤ ${bound}; got ${x}`);
  },

  atLeast(value: unknown, bound: number): void {
    const x = numbersShaped(value, []).values[0];
    if (!(x >= bound)) fail(`expected a number ≥ ${bound}; got ${x}`);
  },

  between(value: unknown, lo: number, hi: number): void {
    const x = numbersShaped(value, []).values[0];
    if (!(x >= lo && x <= hi)) fail(`expected a number in [${lo}, ${hi}]; got ${x}`);
  },

  that(condition: boolean, expected: string): void {
    if (typeof expected !== 'string' || expected === '') throw new TypeError('expect.that: say in words what should hold');
    if (condition !== true) fail(`expected ${expected}`);
  },
});

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const listA = ArrayBuffer.isView(a) ? Array.from(a as unknown as ArrayLike<unknown>) : a;
  const listB = ArrayBuffer.isView(b) ? Array.from(b as unknown as ArrayLike<unknown>) : b;
  if (Array.isArray(listA) !== Array.isArray(listB)) return false;
  const keysA = Object.keys(listA);
  const keysB = Object.keys(listB);
  return keysA.length === keysB.length && keysA.every((k) => Object.prototype.hasOwnProperty.call(listB, k) && deepEqual((listA as Record<string, unknown>)[k], (listB as Record<string, unknown>)[k]));
}
