import { lineChart, type Figure } from './figure';
import { labelNumber } from './look';
import { finiteList, positive } from './validate';

/** One run's top Hessian eigenvalue against the iteration it was measured at. */
export interface EigenvalueRun {
  name: string;
  iterations: number[];
  topEigenvalue: number[];
}

/**
 * The top eigenvalue of the (support-loss) Hessian over (meta-)training against two reference lines. 1/α
 * (dotted): along an eigenvector of H with eigenvalue λ, one inner step multiplies the exact meta-gradient
 * by 1 − αλ, so FOMAML's relative error there is αλ/|1 − αλ|, which passes 100% at λ = 1/(2α) and is
 * unbounded at λ = 1/α. 2/α (dashed): gradient descent with step α is stable on a quadratic only while
 * λ_max < 2/α; Cohen et al. (2021) found full-batch training drives λ_max up to that edge and holds it there
 * ("edge of stability").
 *
 * @example
 * import { topEigenvalueChart } from 'maml-lab/plots';
 * const figure = topEigenvalueChart({
 *   alpha: 0.1,
 *   runs: [{ name: 'MAML', iterations: [0, 100, 200], topEigenvalue: [3.2, 12.5, 19.1] }],
 * });
 * figure.data.map((trace) => trace.name); // ["1/α = 10: FOMAML's error along that eigenvector is unbounded (reference)", "2/α = 20: one step no longer shrinks along it (reference)", "MAML"]
 * figure.data[0].y; // [10, 10]
 * figure.data[1].y; // [20, 20]
 */
export function topEigenvalueChart(spec: { alpha: number; runs: EigenvalueRun[]; title?: string; xTitle?: string; log?: boolean }): Figure {
  const alpha = positive('alpha', spec.alpha);
  if (!Array.isArray(spec.runs) || spec.runs.length === 0) throw new RangeError('runs must list at least one run of {name, iterations, topEigenvalue}');
  spec.runs.forEach((run, i) => {
    finiteList(`runs[${i}].iterations`, run.iterations, 1);
    finiteList(`runs[${i}].topEigenvalue`, run.topEigenvalue, 1);
  });
  const xs = spec.runs.flatMap((r) => r.iterations);
  const span = [Math.min(...xs), Math.max(...xs)];
  return lineChart({
    title: spec.title ?? 'Top Hessian eigenvalue during training, against 1/α (FOMAML\'s error unbounded) and the stability edge 2/α',
    x: { title: spec.xTitle ?? 'iteration' },
    y: { title: 'top eigenvalue λ_max', log: spec.log },
    series: [
      ...spec.runs.map((r) => ({ name: r.name, x: r.iterations, y: r.topEigenvalue })),
      { name: `1/α = ${labelNumber(1 / alpha)}: FOMAML's error along that eigenvector is unbounded`, x: span, y: [1 / alpha, 1 / alpha], reference: true, dash: 'dot' as const },
      { name: `2/α = ${labelNumber(2 / alpha)}: one step no longer shrinks along it`, x: span, y: [2 / alpha, 2 / alpha], reference: true },
    ],
  });
}
