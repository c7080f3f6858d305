import fs from 'node:fs';
import { formatError } from '../derivations/check';
import { verifyStep, type Derivation, type Step, type VerifiedStep } from '../derivations/derivation';
import { escapeHtml } from './html';
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
  settle('claim', result);
}

/** What kind of line a notebook showed: a ✓ claim, one row of an implementation-checks group, or a demonstration. */
export type LedgerKind = 'claim' | 'implementation' | 'verified' | 'demonstration';

/** One line of the claims ledger: a claim (or demonstration) as it came out in one run. */
export interface LedgerEntry {
  kind: LedgerKind;
  statement: string;
  measured: number;
  pass: boolean;
}

/**
 * The environment variable that puts claims in ledger mode: when it names a file, every claim, implementation
 * check and demonstration appends a JSON line (`LedgerEntry`) to it, and a failing claim does **not** throw,
 * so that one run under a planted break records every claim that break fails (scripts/claims-ledger.ts).
 */
export const CLAIM_LEDGER_ENV = 'MAML_LAB_CLAIM_LEDGER';

function record(kind: LedgerKind, result: { statement: string; measured: number; pass: boolean }): boolean {
  const file = process.env[CLAIM_LEDGER_ENV];
  if (!file) return false;
  const entry: LedgerEntry = { kind, statement: result.statement, measured: result.measured, pass: result.pass };
  fs.appendFileSync(file, `${JSON.stringify(entry)}\n`);
  return true;
}

/** Records a result in the ledger when there is one; otherwise a failing result throws, so the run fails. */
function settle(kind: LedgerKind, result: ClaimResult): void {
  if (!record(kind, result) && !result.pass) throw new ClaimError(result);
}

/** One row of `implementationChecks`: a sentence, the measured figure and what it is held to, as in `claim`. */
export interface ImplementationCheck {
  statement: string;
  measured: number;
  expectation: Expectation;
}

/**
 * Claims a group of implementation-agreement checks (two engines or two routes agreeing to 1e-7, say) as
 * **one** collapsible line, so that the ✓ a student reads first are the ones that teach. The summary says
 * how many agree and which failed; the rows open beneath it. Each row is a claim: one that fails shows ✗ and
 * throws a `ClaimError` naming it, exactly as `claim` does.
 *
 * @example
 * import { implementationChecks } from 'maml-lab/notebook';
 * // shows "✓ implementation checks, tfjs against float64: 2 of 2 agree" with the two rows folded under it
 * implementationChecks('tfjs against float64', [
 *   { statement: 'θ₁, relative error', measured: 3e-8, expectation: { atMost: 1e-6 } },
 *   { statement: 'θ₂, relative error', measured: 5e-8, expectation: { atMost: 1e-6 } },
 * ]);
 */
export function implementationChecks(label: string, rows: readonly ImplementationCheck[]): void {
  if (typeof label !== 'string' || label.trim() === '') throw new RangeError('implementationChecks: the label must be a non-empty phrase');
  if (!Array.isArray(rows) || rows.length === 0) throw new RangeError(`implementationChecks "${label}": give at least one row`);
  const results = rows.map((r) => evaluateClaim(r.statement, r.measured, r.expectation));
  const failing = results.filter((r) => !r.pass);
  const mark = failing.length ? '✗' : '✓';
  const summary = failing.length
    ? `${mark} implementation checks, ${label}: ${failing.length} of ${results.length} fail (${failing.map((r) => r.statement).join('; ')})`
    : `${mark} implementation checks, ${label}: ${results.length} of ${results.length} agree`;
  const line = (r: ClaimResult) => `${r.pass ? '✓' : '✗'} ${r.statement}: measured ${figure(r.measured)}, claimed ${r.expected}`;
  publish({
    'text/markdown': `<details${failing.length ? ' open' : ''}><summary>${escapeHtml(summary)}</summary>\n\n${results.map((r) => `- ${escapeHtml(line(r))}`).join('\n')}\n\n</details>`,
    'text/plain': [summary, ...results.map((r) => `    ${line(r)}`)].join('\n'),
  });
  const recorded = results.map((r) => record('implementation', r)).every(Boolean);
  if (!recorded && failing.length) throw new ClaimError(failing[0]);
}

/**
 * Shows a measured number that illustrates a point but checks nothing: a bound the construction forces, a
 * quantity that no plausible bug could move. It is marked "demonstration", never carries a ✓ and never
 * throws, so a reader knows not to trust it as a test.
 *
 * @example
 * import { demonstration } from 'maml-lab/notebook';
 * // shows "◇ demonstration: (2/P)JᵀJ's smallest eigenvalue: 1.2e-17 (positive semi-definite by construction)"
 * demonstration("(2/P)JᵀJ's smallest eigenvalue", 1.2e-17, 'positive semi-definite by construction');
 */
export function demonstration(statement: string, measured: number, why?: string): void {
  if (typeof statement !== 'string' || statement.trim() === '') throw new RangeError('demonstration: the statement must be a non-empty sentence');
  const tail = why ? ` (${why})` : '';
  publish({
    'text/markdown': `◇ *demonstration:* ${escapeHtml(statement)}: **${figure(measured)}**${escapeHtml(tail)}`,
    'text/plain': `◇ demonstration: ${statement}: ${figure(measured)}${tail}`,
  });
  record('demonstration', { statement, measured, pass: true });
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
    settle('verified', result);
  }
  return steps;
}
