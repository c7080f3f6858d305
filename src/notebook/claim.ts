import { formatError } from '../derivations/check';
import { verifyStep, type Derivation, type Step, type VerifiedStep } from '../derivations/derivation';
import { publish } from './show';

/**
 * What a claim says about a measured number. Exactly one form:
 * `{ atMost }` ≤, `{ below }` <, `{ atLeast }` ≥, `{ above }` >, `{ equals }` exactly,
 * `{ near, within }` |measured − near| ≤ within, `{ between: [lo, hi] }` lo ≤ measured ≤ hi.
 */
export type Expectation =
  | { atMost: number }
  | { below: number }
  | { atLeast: number }
  | { above: number }
  | { equals: number }
  | { near: number; within: number }
  | { between: readonly [number, number] };

/** A claim, evaluated: the sentence, the measured figure, what it was held to, and whether it holds. */
export interface ClaimResult {
  statement: string;
  measured: number;
  /** The expectation in words, e.g. "≤ 1e-6" or "2 ± 0.05". */
  expected: string;
  pass: boolean;
}

/** Thrown by `claim` when the measured figure contradicts the sentence, so the notebook run fails. */
export class ClaimError extends Error {
  constructor(readonly result: ClaimResult) {
    super(`claim failed: ${result.statement}: measured ${figure(result.measured)}, claimed ${result.expected}`);
    this.name = 'ClaimError';
  }
}

/**
 * A number for a claim line: four significant digits, scientific notation for very small or large ones.
 *
 * @example
 * import { figure } from 'maml-lab/notebook';
 * figure(0.000123456); // "1.235e-4"
 */
export function figure(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(3).replace('e+', 'e');
  return String(Number(x.toPrecision(4)));
}

function bound(x: number): string {
  return x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5) ? formatError(x) : figure(x);
}

function finite(name: string, x: unknown): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new RangeError(`claim: ${name} must be a finite number, got ${String(x)}`);
  return x;
}

/**
 * Evaluates a claim without showing it or throwing: the pure half of `claim`. A measured NaN never passes.
 *
 * @example
 * import { evaluateClaim } from 'maml-lab/notebook';
 * evaluateClaim('the slope is two', 1.995, { near: 2, within: 0.05 }).pass; // true
 */
export function evaluateClaim(statement: string, measured: number, expectation: Expectation): ClaimResult {
  if (typeof statement !== 'string' || statement.trim() === '') throw new RangeError('claim: the statement must be a non-empty sentence');
  const forms = Object.keys(expectation ?? {}).filter((k) => k !== 'within');
  if (forms.length !== 1) {
    throw new RangeError(`claim "${statement}": give exactly one of atMost, below, atLeast, above, equals, near (with within), between; got {${Object.keys(expectation ?? {}).join(', ')}}`);
  }
  const e = expectation as Partial<Record<string, number | readonly [number, number]>>;
  const m = measured;
  let pass: boolean;
  let expected: string;
  if ('near' in expectation) {
    const near = finite('near', expectation.near);
    const within = finite('within', expectation.within);
    pass = Math.abs(m - near) <= within;
    expected = `${figure(near)} ± ${bound(within)}`;
  } else if ('between' in expectation) {
    const [lo, hi] = expectation.between.map((v, i) => finite(i ? 'between[1]' : 'between[0]', v));
    pass = m >= lo && m <= hi;
    expected = `in [${bound(lo)}, ${bound(hi)}]`;
  } else {
    const [form] = forms;
    const t = finite(form, e[form]);
    const tests: Record<string, [(x: number) => boolean, string]> = {
      atMost: [(x) => x <= t, '≤'],
      below: [(x) => x < t, '<'],
      atLeast: [(x) => x >= t, '≥'],
      above: [(x) => x > t, '>'],
      equals: [(x) => x === t, '='],
    };
    if (!tests[form]) throw new RangeError(`claim "${statement}": unknown form ${form}`);
    pass = tests[form][0](m);
    expected = `${tests[form][1]} ${bound(t)}`;
  }
  return { statement, measured: m, expected, pass: pass && !Number.isNaN(m) };
}

/**
 * States a claim a notebook makes in prose, measured in the cell: shows "✓ statement: measured …, claimed
 * …", or shows ✗ and **throws** a `ClaimError`, so the notebook run fails when the library breaks the
 * sentence. It returns nothing, so that a claim ending a cell adds no second output (tslab shows the value
 * of a cell's last expression); `evaluateClaim` gives the result as a value.
 *
 * @example
 * import { claim } from 'maml-lab/notebook';
 * // shows "✓ the two routes agree to 1e-6: measured 3.200e-9, claimed ≤ 1.0e-6"
 * claim('the two routes agree to 1e-6', 3.2e-9, { atMost: 1e-6 });
 */
export function claim(statement: string, measured: number, expectation: Expectation): void {
  const result = evaluateClaim(statement, measured, expectation);
  const line = `${result.pass ? '✓' : '✗'} ${statement}: measured ${figure(measured)}, claimed ${result.expected}`;
  publish({ 'text/markdown': `${result.pass ? '✓' : '✗'} ${statement}: measured **${figure(measured)}**, claimed ${result.expected}`, 'text/plain': line });
  if (!result.pass) throw new ClaimError(result);
}

function isDerivation(x: Derivation | Step): x is Derivation {
  return Array.isArray((x as Derivation).steps);
}

/**
 * Verifies every line of a derivation (or one step) and claims that all of its checks pass: one ✓ line per
 * step with its worst relative error, or ✗ and a `ClaimError` naming the failing checks. Use `show` to draw
 * the equations and reasons; this is the assertion.
 *
 * @example
 * import { claimVerified } from 'maml-lab/notebook';
 * import { makeInstance, mamlDerivation } from 'maml-lab/derivations';
 * const steps = claimVerified(mamlDerivation({ steps: 1, instances: [makeInstance({ kind: 'linear', seed: 0 })] }));
 * steps.length; // 8
 */
export function claimVerified(x: Derivation | Step): VerifiedStep[] {
  const steps = isDerivation(x) ? x.steps.map((s) => verifyStep(s)) : [verifyStep(x)];
  for (const s of steps) {
    const failing = s.checks.filter((c) => !c.pass);
    const worst = Math.max(...s.checks.map((c) => c.maxRelError));
    const statement = `${s.title}: all ${s.checks.length} checks agree within their tolerances`;
    const result: ClaimResult = { statement, measured: failing.length, expected: '0 failing checks', pass: s.pass };
    const detail = failing.length
      ? `${failing.length} failing: ${failing.map((c) => `${c.name} (${c.instance}) ${formatError(c.maxRelError)} > ${formatError(c.tolerance.relative)}`).join('; ')}`
      : `worst relative error ${formatError(worst)}`;
    publish({ 'text/plain': `${s.pass ? '✓' : '✗'} ${statement} (${detail})` });
    if (!s.pass) throw new ClaimError(result);
  }
  return steps;
}
