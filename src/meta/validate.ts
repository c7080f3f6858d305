/**
 * Argument checks shared by every public entry point. Each message names the argument and what was wrong,
 * so a user sees "alpha must be a finite number > 0, got NaN" instead of a NaN result or a tfjs stack.
 */

/**
 * Throws unless `value` is a finite number greater than zero.
 *
 * @example
 * import { requirePositive } from 'maml-lab/meta';
 * requirePositive('alpha', 0.01); // ok
 * let message = '';
 * try { requirePositive('alpha', -1); } catch (e) { message = (e as Error).message; }
 * message; // "alpha must be a finite number > 0, got -1"
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
 * import { requireInteger } from 'maml-lab/meta';
 * requireInteger('steps', 3, 1); // ok
 * let message = '';
 * try { requireInteger('steps', 0, 1); } catch (e) { message = (e as Error).message; }
 * message; // "steps must be an integer ≥ 1, got 0"
 */
export function requireInteger(name: string, value: unknown, min: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer ≥ ${min}, got ${describe(value)}`);
  }
}

/**
 * Throws unless `value` is a finite number.
 *
 * @example
 * import { requireFiniteNumber } from 'maml-lab/meta';
 * requireFiniteNumber('at.w', 0.5); // ok
 * let message = '';
 * try { requireFiniteNumber('at.w', null); } catch (e) { message = (e as Error).message; }
 * message; // "at.w must be a finite number, got null"
 */
export function requireFiniteNumber(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${name} must be a finite number, got ${describe(value)}`);
  }
}

/**
 * Returns a loss value, or throws when it is not finite: what it is, its value, and what to try.
 *
 * @example
 * import { requireFiniteLoss } from 'maml-lab/meta';
 * requireFiniteLoss('the meta-loss', 0.25, 'try a smaller alpha'); // 0.25
 * let message = '';
 * try { requireFiniteLoss('the meta-loss', NaN, 'try a smaller alpha'); } catch (e) { message = (e as Error).message; }
 * message; // "the meta-loss is not finite (NaN): try a smaller alpha"
 */
export function requireFiniteLoss(what: string, value: number, hint: string): number {
  if (!Number.isFinite(value)) throw new RangeError(`${what} is not finite (${value}): ${hint}`);
  return value;
}

/**
 * Returns a computed vector or matrix, or throws when any entry is not finite: what it is, how many
 * entries, and what to try. The kernel computes in float32, so a problem whose intermediate values pass
 * float32's range (about 3.4e38) can give a finite loss with a gradient that is partly Infinity or NaN;
 * that is refused, never returned.
 *
 * @example
 * import { requireFiniteValues } from 'maml-lab/meta';
 * requireFiniteValues('the meta-gradient', [0.5, -1], 'scale the data down').length; // 2
 * let message = '';
 * try { requireFiniteValues('the meta-gradient', [0.5, NaN, Infinity], 'scale the data down'); } catch (e) { message = (e as Error).message; }
 * message; // "the meta-gradient is not finite (2 of 3 entries): scale the data down"
 */
export function requireFiniteValues<T extends ArrayLike<number>>(what: string, values: T, hint: string): T {
  // x·0 is 0 for a finite x and NaN otherwise: one sum tells whether to count (the common case adds only it).
  let probe = 0;
  for (let i = 0; i < values.length; i++) probe += values[i] * 0;
  if (probe === 0) return values;
  let bad = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) bad++;
  throw new RangeError(`${what} is not finite (${bad} of ${values.length} entries): ${hint}`);
}

function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined || value === null) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  return typeof value;
}
