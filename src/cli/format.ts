import { formatError, type Check } from '../derivations/check';
import type { VerifiedStep } from '../derivations/derivation';
import type { SeedSpread } from '../meta/seedSpread';
import type { SinusoidResults, SinusoidScore, sinusoidSeedSpread } from '../meta/sinusoidBenchmark';

/**
 * A fixed-width text table.
 *
 * @example
 * import { textTable } from './format';
 * textTable(['a', 'b'], [['1', '2']]); // "a  b\n-  -\n1  2"
 */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...r[i]].length)));
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A route's family, for the summary table: the full names are in --verbose and --json. */
function routeKind(name: string): string {
  if (name.includes('autodiff')) return 'autodiff';
  if (name.includes('differences')) return 'finite differences';
  if (name.includes('symbolic')) return 'symbolic';
  if (name.includes('identity')) return 'I';
  return 'closed form';
}

/**
 * One row per step: its id, the routes compared, the worst relative error, the tolerance(s), and whether
 * it passed (✓ or ✗).
 *
 * @example
 * import { mamlDerivation, verifyDerivation } from 'maml-lab/derivations';
 * import { stepTable } from './format';
 * console.log(stepTable(verifyDerivation(mamlDerivation({ steps: 1 })).steps));
 */
export function stepTable(steps: VerifiedStep[]): string {
  const rows = steps.map((s) => {
    const routes = new Set(s.checks.flatMap((c) => c.routes.map((r) => routeKind(r.name))));
    const worst = Math.max(...s.checks.map((c) => c.maxRelError));
    const tolerances = [...new Set(s.checks.map((c) => formatError(c.tolerance.relative)))].join(', ');
    return [s.id, String(s.checks.length), [...routes].join(' | '), formatError(worst), tolerances, s.pass ? '✓' : '✗'];
  });
  return textTable(['step', 'checks', 'routes', 'max rel. error', 'tolerance', 'pass'], rows);
}

/**
 * One row per check, for the failures (or everything with --verbose).
 *
 * @example
 * import { mamlDerivation, verifyDerivation } from 'maml-lab/derivations';
 * import { checkTable } from './format';
 * console.log(checkTable(verifyDerivation(mamlDerivation({ steps: 1 })).steps.flatMap((s) => s.checks)));
 */
export function checkTable(checks: Check[]): string {
  return textTable(
    ['check', 'instance', 'max abs. error', 'max rel. error', 'tolerance', 'pass'],
    checks.map((c) => [c.name, c.instance, formatError(c.maxAbsError), formatError(c.maxRelError), formatError(c.tolerance.relative), c.pass ? '✓' : '✗']),
  );
}

const score = (x: SinusoidScore) => `${x.mse.toFixed(3)} ± ${x.ci95.toFixed(3)}`;

/**
 * The sinusoid reproduction as a table: one row per method, its query MSE after 1 and 10 steps from the K
 * it was trained with, and, where the protocol tests other K (li2017), after 1 step from each of those.
 *
 * @example
 * import { reproduceSinusoid } from 'maml-lab/meta';
 * import { reproduceTable } from './format';
 * console.log(reproduceTable((await reproduceSinusoid({ iterations: 3, seed: 0, shots: 5 })).results, 5));
 */
export function reproduceTable(results: SinusoidResults, shots: number): string {
  const entries = Object.entries(results);
  const tested = [...new Set(entries.flatMap(([, r]) => ('error' in r || !r.tested ? [] : Object.keys(r.tested))))].sort((a, b) => Number(a) - Number(b));
  const header = tested.length === 0
    ? ['method', 'after 1 step', 'after 10 steps', 'iterations', 'training time']
    : ['method', ...tested.map((k) => `1 step, K = ${k}`), `10 steps, K = ${shots}`, 'iterations', 'training time'];
  const rows = entries.map(([m, r]) => {
    if ('error' in r) return [m, r.error, ...header.slice(2).map(() => '')];
    const oneStep = tested.length === 0 ? [score(r['1'])] : tested.map((k) => (r.tested?.[k] ? score(r.tested[k]['1']) : ''));
    return [m, ...oneStep, score(r['10']), `${r.iterations}${r.interrupted ? ' (stopped)' : ''}`, `${r.seconds.toFixed(0)} s`];
  });
  return textTable(header, rows);
}

const spreadText = (x: SeedSpread) => `${x.mean.toFixed(3)} ± ${x.sd.toFixed(3)} (${x.min.toFixed(3)}–${x.max.toFixed(3)})`;

/**
 * The spread over seeds as a table: one row per method, its query MSE's mean ± standard deviation over
 * seeds (and range) after 1 and 10 steps from the K it was trained with, and after 1 step from each
 * tested K (li2017).
 *
 * @example
 * import { reproduceSinusoid, sinusoidSeedSpread } from 'maml-lab/meta';
 * import { spreadTable } from './format';
 * const runs = [0, 1].map((seed) => reproduceSinusoid({ iterations: 3, seed, shots: 5 }));
 * console.log(spreadTable(sinusoidSeedSpread((await Promise.all(runs)).map((r) => r.results)), 5));
 */
export function spreadTable(spread: ReturnType<typeof sinusoidSeedSpread>, shots: number): string {
  const entries = Object.entries(spread);
  const tested = [...new Set(entries.flatMap(([, r]) => Object.keys(r.tested ?? {})))].sort((a, b) => Number(a) - Number(b));
  const header = tested.length === 0
    ? ['method', 'after 1 step', 'after 10 steps', 'seeds']
    : ['method', ...tested.map((k) => `1 step, K = ${k}`), `10 steps, K = ${shots}`, 'seeds'];
  const rows = entries.map(([m, r]) => [
    m,
    ...(tested.length === 0 ? [spreadText(r['1'])] : tested.map((k) => (r.tested?.[k] ? spreadText(r.tested[k]['1']) : ''))),
    spreadText(r['10']),
    `${r['1'].n}${r.failed > 0 ? ` (${r.failed} diverged)` : ''}`,
  ]);
  return textTable(header, rows);
}
