/*
 * An answer's value as data: what leaves a student's kernel. A student's kernel only computes; its
 * answers travel to the judge as JSON, so nothing of them is ever run there (no getter, no `valueOf`, no
 * `toJSON`, no prototype). Numbers JSON cannot hold (NaN, ±Infinity), typed arrays, tensors, `undefined`
 * and functions are tagged, so the judge sees what the student returned in kind and shape.
 */

/** An encoded value: a JSON value in which every object is a tag (see `encodeAnswer`). */
export type AnswerData = number | string | boolean | null | AnswerData[] | { [tag: string]: unknown };

/** One answer as a student's kernel reports it: its value, or the kind of error it threw. */
export type AnswerOutcome = { value: AnswerData; seconds: number } | { threw: { kind: string; message: string }; seconds: number };

/** Deeper than this, a value is not read (a cycle, or a structure no answer needs). */
const MAX_DEPTH = 12;
/** More numbers than this in one answer are not sent. */
const MAX_ENTRIES = 2_000_000;
/** A string answer, or an error message, is cut to this. */
const MAX_STRING = 2_000;
/** An error message as reported: short, one line. */
export const MESSAGE_LIMIT = 200;

const TYPED = ['Float64Array', 'Float32Array', 'Int32Array', 'Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Uint8ClampedArray'] as const;
type TypedName = (typeof TYPED)[number];

function encodeNumber(x: number): AnswerData {
  return Number.isFinite(x) ? x : { $number: String(x) };
}

class TooLarge extends Error {}

function encodeAt(x: unknown, depth: number, budget: { left: number }): AnswerData {
  if (depth > MAX_DEPTH) return { $unsupported: 'a structure nested too deeply (a cycle?)' };
  const spend = (n: number): void => {
    budget.left -= n;
    if (budget.left < 0) throw new TooLarge();
  };
  switch (typeof x) {
    case 'number':
      spend(1);
      return encodeNumber(x);
    case 'string':
      spend(1);
      return x.length > MAX_STRING ? `${x.slice(0, MAX_STRING)}…` : x;
    case 'boolean':
      return x;
    case 'undefined':
      return { $undefined: true };
    case 'function':
      return { $function: x.length };
    case 'bigint':
    case 'symbol':
      return { $unsupported: `a ${typeof x}` };
  }
  if (x === null) return null;
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    const name = TYPED.find((n) => (globalThis as Record<string, unknown>)[n] !== undefined && x instanceof (globalThis as unknown as Record<string, new () => unknown>)[n]);
    if (name === undefined) return { $unsupported: 'a typed array of big integers' };
    const list = x as unknown as ArrayLike<number>;
    spend(list.length);
    return { $typed: name, values: Array.from(list, encodeNumber) };
  }
  if (Array.isArray(x)) {
    spend(1);
    return x.map((v) => encodeAt(v, depth + 1, budget));
  }
  const o = x as { then?: unknown; shape?: unknown; dataSync?: unknown };
  if (typeof o.then === 'function') return { $unsupported: 'a Promise (did you forget await?)' };
  if (Array.isArray(o.shape) && typeof o.dataSync === 'function') {
    try {
      const values = Array.from((o.dataSync as () => ArrayLike<number>).call(x), encodeNumber);
      spend(values.length);
      return { $tensor: (o.shape as unknown[]).map(Number), values };
    } catch (error) {
      if (error instanceof TooLarge) throw error;
      return { $unsupported: 'a disposed tensor' };
    }
  }
  const fields: Record<string, AnswerData> = {};
  for (const key of Object.keys(x as object)) {
    spend(1);
    fields[key] = encodeAt((x as Record<string, unknown>)[key], depth + 1, budget);
  }
  return { $object: fields };
}

/**
 * A value as data (JSON): numbers (NaN and ±Infinity tagged), strings, booleans and null as themselves,
 * arrays entry by entry, and tags for the rest: `{ $typed, values }` (typed arrays), `{ $tensor, values }`,
 * `{ $object }` (plain objects, own enumerable keys), `{ $undefined }`, `{ $function }` (its number of
 * parameters only), `{ $unsupported }`.
 *
 * @example
 * import { encodeAnswer } from 'maml-lab/homework';
 * encodeAnswer(Float64Array.of(1, NaN)); // { $typed: "Float64Array", values: [1, { $number: "NaN" }] }
 * encodeAnswer({ path: [1, 2] }); // { $object: { path: [1, 2] } }
 */
export function encodeAnswer(x: unknown): AnswerData {
  try {
    return encodeAt(x, 0, { left: MAX_ENTRIES });
  } catch (error) {
    if (error instanceof TooLarge) return { $unsupported: `more than ${MAX_ENTRIES} numbers` };
    return { $unsupported: `a value that could not be read (${error instanceof Error ? error.name : 'error'})` };
  }
}

/** An encoded value that cannot be decoded: the answer's value is unreadable, never the judge's fault. */
export class UnreadableAnswer extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnreadableAnswer';
  }
}

function decodeNumber(x: unknown): number {
  if (typeof x === 'number') return x;
  const tag = (x as { $number?: unknown } | null)?.$number;
  if (tag === 'NaN') return NaN;
  if (tag === 'Infinity') return Infinity;
  if (tag === '-Infinity') return -Infinity;
  throw new UnreadableAnswer('a number that could not be read');
}

function decodeAt(x: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH + 1) throw new UnreadableAnswer('nested too deeply');
  if (x === null || typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean') return x;
  if (Array.isArray(x)) return x.map((v) => decodeAt(v, depth + 1));
  if (typeof x !== 'object') throw new UnreadableAnswer('not JSON');
  const tags = Object.keys(x);
  const t = x as Record<string, unknown>;
  if (tags.length === 1 && tags[0] === '$number') return decodeNumber(x);
  if (tags.length === 1 && tags[0] === '$undefined') return undefined;
  if (tags.length === 1 && tags[0] === '$object' && typeof t.$object === 'object' && t.$object !== null && !Array.isArray(t.$object)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(t.$object)) {
      // defineProperty: a key named "__proto__" stays a plain field and never sets the prototype.
      Object.defineProperty(out, key, { value: decodeAt((t.$object as Record<string, unknown>)[key], depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  if (tags.length === 2 && typeof t.$typed === 'string' && Array.isArray(t.values) && (TYPED as readonly string[]).includes(t.$typed)) {
    const Typed = (globalThis as unknown as Record<TypedName, { from(list: number[]): unknown }>)[t.$typed as TypedName];
    return Typed.from(t.values.map(decodeNumber));
  }
  if (tags.length === 2 && Array.isArray(t.$tensor) && Array.isArray(t.values)) {
    // A tensor arrives as nested arrays of its shape: the judge needs its numbers, not tfjs.
    const shape = t.$tensor.map(Number);
    const values = t.values.map(decodeNumber);
    if (!shape.every((d) => Number.isInteger(d) && d >= 0) || shape.reduce((a, b) => a * b, 1) !== values.length) throw new UnreadableAnswer('a tensor whose shape and values disagree');
    // The arrays the nesting makes, not only the numbers: a shape such as [4e8, 0] holds no number but
    // would make 4e8 empty arrays in the judge, which serves the whole class.
    let arrays = 0;
    for (let axis = 0, lead = 1; axis < shape.length - 1; axis++) {
      lead *= shape[axis];
      arrays += lead;
      if (arrays > MAX_ENTRIES) throw new UnreadableAnswer(`a tensor of shape [${shape.slice(0, 4).join(', ')}${shape.length > 4 ? ', …' : ''}], too large to grade`);
    }
    const nest = (offset: number, axis: number): unknown => {
      if (axis === shape.length) return values[offset];
      const stride = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: shape[axis] }, (_, i) => nest(offset + i * stride, axis + 1));
    };
    return nest(0, 0);
  }
  if (tags.length === 1 && tags[0] === '$function' && typeof t.$function === 'number') {
    const length = t.$function;
    const stand = function (): never {
      throw new UnreadableAnswer('a function answer cannot be called by the judge; the question calls it in your kernel');
    };
    Object.defineProperty(stand, 'length', { value: length });
    return stand;
  }
  if (tags.length === 1 && tags[0] === '$unsupported') throw new UnreadableAnswer(`the answer is ${String(t.$unsupported).slice(0, 80)}, which cannot be graded`);
  throw new UnreadableAnswer('a value in an unknown form');
}

/**
 * The value `encodeAnswer` encoded, rebuilt from plain data (typed arrays as typed arrays, tensors as nested
 * arrays of their shape); throws `UnreadableAnswer` for anything `encodeAnswer` cannot have produced or for
 * `$unsupported`.
 *
 * @example
 * import { decodeAnswer, encodeAnswer } from 'maml-lab/homework';
 * decodeAnswer(encodeAnswer(Float64Array.of(1, 2))); // Float64Array [1, 2]
 * Number.isNaN(decodeAnswer({ $number: 'NaN' }) as number); // true
 */
export function decodeAnswer(data: unknown): unknown {
  return decodeAt(data, 0);
}

/**
 * An error's kind as reported: its constructor's name when it is a plain identifier (TypeError,
 * RangeError, Error…), else "Error"; never anything a student chose to print.
 *
 * @example
 * import { errorKind } from 'maml-lab/homework';
 * errorKind(new RangeError('x')); // "RangeError"
 * errorKind('a string'); // "a thrown string"
 */
export function errorKind(error: unknown): string {
  if (typeof error === 'string') return 'a thrown string';
  const name = error instanceof Error ? error.name : undefined;
  return typeof name === 'string' && /^[A-Za-z]{1,40}$/.test(name) ? name : 'Error';
}

/**
 * An error's message as reported: one line, at most MESSAGE_LIMIT characters.
 *
 * @example
 * import { errorMessage } from 'maml-lab/homework';
 * errorMessage(new Error('not implemented\n  yet')); // "not implemented yet"
 */
export function errorMessage(error: unknown): string {
  let text: string;
  try {
    text = error instanceof Error ? String(error.message) : String(error);
  } catch {
    text = '(a message that could not be read)';
  }
  const line = text.split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
  return line.length > MESSAGE_LIMIT ? `${line.slice(0, MESSAGE_LIMIT - 1)}…` : line;
}
