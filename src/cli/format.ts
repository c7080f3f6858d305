import { formatError, type Check } from '../derivations/check';
import type { VerifiedStep } from '../derivations/derivation';

/**
 * A fixed-width text table.
 *
 * @example
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
 * One row per step: its id, the routes compared, the worst relative error, the tolerance(s), ✓ or ✗.
 *
 * @example
 * console.log(stepTable(verifyDerivation(mamlDerivation({ steps: 1 })).steps));
 */
export function stepTable(steps: VerifiedStep[]): string {
  const rows = steps.map((s) => {
    const routes = new Set(s.checks.flatMap((c) => c.routes.map((r) => routeKind(r.name))));
    const worst = Math.max(...s.checks.map((c) => c.maxRelError));
    const tolerances = [...new Set(s.checks.map((c) => formatError(c.tolerance.relative)))].join(', ');
    return [s.id, String(s.checks.length), [...routes].join(' | '), formatError(worst), tolerances, s.pass ? '✓' : '✗'];
  });
  return textTable(['step', 'checks', 'routes', 'max rel. error', 'tolerance', ''], rows);
}

/**
 * One row per check, for the failures (or everything with --verbose).
 *
 * @example
 * console.log(checkTable(checks));
 */
export function checkTable(checks: Check[]): string {
  return textTable(
    ['check', 'instance', 'max abs. error', 'max rel. error', 'tolerance', ''],
    checks.map((c) => [c.name, c.instance, formatError(c.maxAbsError), formatError(c.maxRelError), formatError(c.tolerance.relative), c.pass ? '✓' : '✗']),
  );
}
