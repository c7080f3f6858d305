/*
 * What the Hessian explorer (hessianExplorer.ts) computes for one state, without the DOM: the MSE Hessian of
 * an MLP on a few sinusoid points, its Gauss–Newton and residual parts, their sizes, the spectrum, and the
 * float64 check. It takes the kernel as an argument (a `KernelMath` for the chosen sizes and activation): the
 * page runs it on the wasm kernel in its Worker (workerTasks.ts, which sends the page `hessianExplorerView`:
 * the numbers and the pooled figures, not the matrices), and the book's check in Node on the same mlp.wasm,
 * so what the check compares is what the reader saw.
 */
import { mlp64 } from '../derivations/float64Mlp';
import { hessianSplitSummary } from '../derivations/hessianReference';
import { relativeError, seededUniforms } from '../derivations/numeric';
import { float64Math } from '../kernel/float64Math';
import { kernelHessian, kernelHessianProducts, type HessianPart } from '../kernel/hessians';
import type { KernelActivation } from '../kernel/layout';
import type { KernelMath } from '../kernel/math';
import type { DenseMatrix } from '../meta/denseMatrix';
import { lanczosRuns } from '../meta/lanczosRuns';
import { matrixRows } from '../meta/denseMatrix';
import type { Figure } from '../plots/figure';
import { hessianExplorerFigures } from '../plots/hessianExplorer';
import type { CheckOutcome } from './curvature';
import { sineTarget } from './sinusoid';

/** The activations the explorer offers: those the float64 reference (`mlp64`) has, so every state can be checked. */
export const HESSIAN_ACTIVATIONS = ['relu', 'tanh'] as const;
export type HessianActivation = (typeof HESSIAN_ACTIVATIONS)[number];

/** What the reader chooses: the activation, the hidden layers' widths (the MLP is 1-w₁-…-1) and the number of points. */
export interface HessianState {
  activation: HessianActivation;
  widths: number[];
  points: number;
}

/** The Hessian explorer's settings (notebook 05): the start state, the sliders' ranges and the fixed task and θ. */
export interface HessianSettings extends HessianState {
  /** Largest width a slider reaches (default 40, the sinusoid benchmark's). */
  maxWidth?: number;
  /** Largest number of points (default 20). */
  maxPoints?: number;
  /** The task: y = amplitude·sin(x − phase) at points evenly spaced on [−5, 5] (defaults 1 and 0). */
  amplitude?: number;
  phase?: number;
  /** Seed of θ (default 0): drawn as `mlp(sizes).init` draws it, W ~ N(0, 2/(in + out)), b ~ N(0, 0.1²). */
  seed?: number;
}

/** How far the kernel's dense matrices times a direction may be from the float64 reference's products (relative): float64 rounding, or float32 for the wasm kernel. */
export const HESSIAN_CHECK_TOLERANCE: Readonly<Record<'float32' | 'float64', number>> = { float64: 1e-9, float32: 1e-4 };

/** How many random ±1 directions the check multiplies each matrix by. */
export const HESSIAN_CHECK_DIRECTIONS = 3; // `times` multiplies by three at once

/** An eigenvalue counts as zero below this share of the largest |eigenvalue| (notebook 05's numerical rank). */
export const ZERO_EIGENVALUE = 1e-6;

/** The spectrum from Lanczos run to exhaustion: every distinct eigenvalue, exact up to rounding. */
export interface HessianSpectrum {
  /** The non-zero eigenvalues, ascending (one per distinct eigenvalue: see `hessianExplorerReading`). */
  nonZero: number[];
  /** n minus the non-zero count: the eigenvalue 0's multiplicity. */
  zeros: number;
  smallest: number;
  largest: number;
  /** Lanczos iterations (kernel Hessian-vector products) it took. */
  iterations: number;
  /** Σ Ritz values against tr(H) (relative): 0 when each non-zero eigenvalue is simple, as the count assumes. */
  traceError: number;
}

/** What the explorer computes for one state: the matrices, the numbers it shows and its check. */
export interface HessianReading {
  sizes: number[];
  parameterCount: number;
  /** The task's points, x and y. */
  x: number[];
  y: number[];
  /** The support loss at θ. */
  loss: number;
  hessian: DenseMatrix;
  gaussNewton: DenseMatrix;
  residual: DenseMatrix;
  frobenius: { hessian: number; gaussNewton: number; residual: number };
  /** ‖R‖_F / (‖GN‖_F + ‖R‖_F), `hessianSplitSummary`'s share. */
  residualShare: number;
  /** ‖GN + R − H‖_F / ‖H‖_F, the parts computed on their own routes. */
  relativeSumError: number;
  spectrum: HessianSpectrum;
  /** Largest relative error of A·v against the float64 reference, A = H, GN, R. */
  checkErrors: Record<HessianPart, number>;
  check: CheckOutcome;
  /** Milliseconds per stage, for the page's progress and the report. */
  times: Record<'hessian' | 'gaussNewton' | 'residual' | 'spectrum' | 'check', number>;
}

/** Options of `hessianExplorerReading`. */
export interface HessianReadingOptions {
  /** The kernel for these sizes and activation (default the float64 twin, `float64Math`). */
  math?: (sizes: readonly number[], activation: KernelActivation) => KernelMath;
  /** Called before each stage with the share done so far (0…1) and what comes next. */
  onProgress?: (fraction: number, stage: string) => void;
}

function wholeNumber(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be a whole number in [${min}, ${max}], got ${JSON.stringify(value)}`);
  return value;
}

/**
 * The Hessian explorer's settings, checked: throws naming the setting that is wrong.
 *
 * @example
 * import { checkHessianSettings } from './hessian';
 * checkHessianSettings({ activation: 'relu', widths: [40, 40], points: 10 }).maxPoints; // 20
 */
export function checkHessianSettings(settings: unknown): Required<HessianSettings> {
  if (settings === null || typeof settings !== 'object') throw new RangeError(`hessian explorer: settings must be an object {activation, widths, points}, got ${JSON.stringify(settings)}`);
  const s = settings as Partial<HessianSettings>;
  if (!HESSIAN_ACTIVATIONS.includes(s.activation as HessianActivation)) throw new RangeError(`activation must be one of ${HESSIAN_ACTIVATIONS.join(', ')}, got ${JSON.stringify(s.activation)}`);
  const maxWidth = wholeNumber('maxWidth', s.maxWidth ?? 40, 1, 64);
  const maxPoints = wholeNumber('maxPoints', s.maxPoints ?? 20, 1, 64);
  if (!Array.isArray(s.widths) || s.widths.length < 1 || s.widths.length > 3) throw new RangeError(`widths must list 1 to 3 hidden-layer widths, got ${JSON.stringify(s.widths)}`);
  const widths = s.widths.map((w, i) => wholeNumber(`widths[${i}]`, w, 1, maxWidth));
  const points = wholeNumber('points', s.points, 1, maxPoints);
  const amplitude = s.amplitude ?? 1;
  const phase = s.phase ?? 0;
  if (typeof amplitude !== 'number' || !Number.isFinite(amplitude)) throw new RangeError(`amplitude must be a finite number, got ${String(amplitude)}`);
  if (typeof phase !== 'number' || !Number.isFinite(phase)) throw new RangeError(`phase must be a finite number, got ${String(phase)}`);
  const seed = wholeNumber('seed', s.seed ?? 0, 0, 2 ** 31 - 1);
  return { activation: s.activation as HessianActivation, widths, points, maxWidth, maxPoints, amplitude, phase, seed };
}

/**
 * θ of the MLP with these sizes, flat (each layer's W row-major, then b), from `seed`: W ~ N(0, 2/(in + out))
 * and b ~ N(0, 0.1²), the distribution of `mlp(sizes).init` (different draws: that one uses tfjs).
 *
 * @example
 * import { explorerParameters } from './hessian';
 * explorerParameters([1, 4, 1], 0).length; // 13
 * explorerParameters([1, 4, 1], 0)[0] === explorerParameters([1, 4, 1], 0)[0]; // true
 */
export function explorerParameters(sizes: readonly number[], seed: number): Float64Array {
  const next = seededUniforms(seed);
  // Box–Muller: two uniforms, one standard normal (1 − u keeps the logarithm finite).
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const values: number[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const std = Math.sqrt(2 / (sizes[l] + sizes[l + 1]));
    for (let i = 0; i < sizes[l] * sizes[l + 1]; i++) values.push(std * normal());
    for (let k = 0; k < sizes[l + 1]; k++) values.push(0.1 * normal());
  }
  return Float64Array.from(values);
}

/**
 * The task's points: x evenly spaced on [−5, 5] (0 for one point) and y = amplitude·sin(x − phase).
 *
 * @example
 * import { explorerPoints } from './hessian';
 * explorerPoints(3, 1, 0).x; // [-5, 0, 5]
 */
export function explorerPoints(points: number, amplitude: number, phase: number): { x: number[]; y: number[] } {
  const x = Array.from({ length: points }, (_, p) => (points === 1 ? 0 : -5 + (10 * p) / (points - 1)));
  return { x, y: x.map((v) => sineTarget(amplitude, phase, v)) };
}

/** ±1/√n entries from `seed`: the start vector of Lanczos and the check's directions. */
function signs(n: number, seed: number): Float64Array {
  const next = seededUniforms(seed);
  const scale = 1 / Math.sqrt(n);
  return Float64Array.from({ length: n }, () => (next() < 0.5 ? -scale : scale));
}

/**
 * m·v for the check's three directions in one pass over m, each row loaded once for the three (the matrix is
 * 25 MB at 1761 parameters: twice as fast as one product after another). Each sum runs in the same order
 * as a plain row-times-vector loop, so the products are the same to the bit.
 */
function times(m: DenseMatrix, [v0, v1, v2]: readonly [Float64Array, Float64Array, Float64Array]): Float64Array[] {
  const n = m.shape[0];
  const values = m.values;
  const out = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  for (let i = 0; i < n; i++) {
    const row = i * n;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    for (let j = 0; j < n; j++) {
      const a = values[row + j];
      s0 += a * v0[j];
      s1 += a * v1[j];
      s2 += a * v2[j];
    }
    out[0][i] = s0;
    out[1][i] = s1;
    out[2][i] = s2;
  }
  return out;
}

/**
 * The numbers the Hessian explorer shows for one state, with its check. The kernel computes the MSE Hessian
 * and its Gauss–Newton and residual parts, each on its own route (`kernelHessian`), and the spectrum by
 * Lanczos with full reorthogonalisation on the kernel's Hessian-vector products, run until its Krylov space
 * is exhausted: then its Ritz values are exactly the distinct eigenvalues (Ritz values below
 * ZERO_EIGENVALUE·max are the zero eigenvalue). Why not the dense eigen-solver (`symmetricEigenvalues`):
 * for the 1-40-40-1 MLP it takes 6–13 s here; this Hessian has rank about 220–360 on 10 points, so Lanczos
 * stops after rank + 1 products, in a fraction of that (measured in the report). Its products come from the
 * kernel, not from the dense H at hand: one wasm R-operator product took 0.1–0.5 ms, one 1761² dense
 * product in JavaScript 16–19 ms (it streams 25 MB; measured side by side at load 6 on 2 cores). The count of zeros assumes
 * every non-zero eigenvalue is simple, which the spectrum's trace check measures (Σ Ritz values = tr H).
 *
 * The check, in float64 on an independent route: each dense matrix times three random ±1 directions
 * against the float64 reference's R-operator products (`mlp64`, the hand-written network of
 * maml-lab/derivations, which shares no code with the kernel), and the spectrum's trace.
 *
 * @example
 * import { hessianExplorerReading } from './hessian';
 * const r = await hessianExplorerReading({ activation: 'tanh', widths: [6], points: 5 });
 * r.parameterCount; // 19
 * r.check.passed; // true
 * r.spectrum.largest > 0; // true
 */
export async function hessianExplorerReading(settings: HessianSettings, options: HessianReadingOptions = {}): Promise<HessianReading> {
  const s = checkHessianSettings(settings);
  const sizes = [1, ...s.widths, 1];
  const math = (options.math ?? float64Math)(sizes, s.activation);
  const { x, y } = explorerPoints(s.points, s.amplitude, s.phase);
  const theta = explorerParameters(sizes, s.seed);
  const n = theta.length;
  if (math.layout.parameterCount !== n) throw new RangeError(`math is for ${math.layout.parameterCount} parameters, but sizes [${sizes}] have ${n}`);
  const points = { x, y, tasks: 1, points: s.points };
  // The float64 reference network and data: the check's products and the loss shown.
  const net = mlp64(sizes, s.activation);
  const data = { x: Float64Array.from(x), y: Float64Array.from(y), points: s.points };
  const elapsed: HessianReading['times'] = { hessian: 0, gaussNewton: 0, residual: 0, spectrum: 0, check: 0 };
  // Shares of the time each stage takes (measured at 1761 parameters, relu, on the wasm kernel), for the progress bar.
  const stages = [
    ['hessian', 'the Hessian', 0],
    ['residual', 'its residual part', 0.06],
    ['gaussNewton', 'its Gauss–Newton part', 0.1],
    ['spectrum', 'the spectrum', 0.2],
    ['check', 'the float64 check', 0.7],
  ] as const;
  const stage = async <T>(index: number, run: () => T): Promise<T> => {
    const [key, label, fraction] = stages[index];
    options.onProgress?.(fraction, label);
    const started = performance.now();
    const value = run();
    elapsed[key] = performance.now() - started;
    return value;
  };
  const matrix = (part: HessianPart): DenseMatrix => ({ shape: [n, n], values: kernelHessian(math, theta, points, part) });
  const hessian = await stage(0, () => matrix('hessian'));
  const residual = await stage(1, () => matrix('residual'));
  const gaussNewton = await stage(2, () => matrix('gaussNewton'));
  const summary = hessianSplitSummary({ hessian, gaussNewton, residual });

  const spectrum = await stage(3, (): HessianSpectrum => {
    const operator = { size: n, apply: (vs: readonly Float64Array[]) => vs.map((v) => kernelHessianProducts(math, theta, points, v, 1)) };
    const [run] = lanczosRuns(operator, [signs(n, s.seed + 1)], n);
    const ritz = Array.from(run.ritzValues);
    const scale = Math.max(...ritz.map(Math.abs));
    const nonZero = ritz.filter((v) => Math.abs(v) > ZERO_EIGENVALUE * scale);
    let trace = 0;
    for (let i = 0; i < n; i++) trace += hessian.values[i * n + i];
    const sum = ritz.reduce((a, v) => a + v, 0);
    return {
      nonZero,
      zeros: n - nonZero.length,
      smallest: Math.min(ritz[0], 0),
      largest: Math.max(ritz[ritz.length - 1], 0),
      iterations: run.iterations,
      traceError: Math.abs(sum - trace) / Math.max(Math.abs(trace), scale),
    };
  });

  const checkErrors = await stage(4, () => {
    const directions = [0, 1, 2].map((d) => signs(n, 1000 + s.seed + d)) as [Float64Array, Float64Array, Float64Array];
    const worst = (m: DenseMatrix, product: (v: Float64Array) => Float64Array) => {
      const dense = times(m, directions);
      return Math.max(...directions.map((v, d) => relativeError(dense[d], product(v))));
    };
    return {
      hessian: worst(hessian, (v) => net.hessianVectorProduct(theta, v, data)),
      gaussNewton: worst(gaussNewton, (v) => net.gaussNewtonVectorProduct(theta, v, data)),
      residual: worst(residual, (v) => net.residualVectorProduct(theta, v, data)),
    };
  });
  options.onProgress?.(1, 'done');
  const tolerance = HESSIAN_CHECK_TOLERANCE[math.precision];
  const largest = Math.max(checkErrors.hessian, checkErrors.gaussNewton, checkErrors.residual);
  // NaN fails both comparisons, so a non-finite matrix is a ✗.
  const productsPass = largest <= tolerance;
  const tracePass = spectrum.traceError <= tolerance;
  const passed = productsPass && tracePass;
  return {
    sizes,
    parameterCount: n,
    x,
    y,
    loss: net.loss(theta, data),
    hessian,
    gaussNewton,
    residual,
    frobenius: summary.frobenius,
    residualShare: summary.shares.residual,
    relativeSumError: summary.relativeSumError,
    spectrum,
    checkErrors,
    check: {
      passed,
      text:
        `float64: H·v, GN·v and R·v from the kernel's matrices against the hand-written float64 R-operator (mlp64), ${HESSIAN_CHECK_DIRECTIONS} random ±1 directions, ` +
        `largest relative error ${largest.toExponential(1)} (${productsPass ? '≤' : '>'} ${tolerance}); Σ eigenvalues against tr H, ${spectrum.traceError.toExponential(1)} (${tracePass ? '≤' : '>'} ${tolerance})`,
    },
    times: elapsed,
  };
}

/** Cells per side of the drawn heatmaps: a 1761² matrix is pooled (the figure's subtitle says how), so that Plotly draws it in tens of ms. */
export const HESSIAN_HEATMAP_CELLS = 200;

/**
 * What the page draws for one state: the reading without its three n × n matrices (75 MB at 1761
 * parameters), and the two figures made from them (`hessianExplorerFigures`, the heatmaps pooled to
 * HESSIAN_HEATMAP_CELLS a side). The Worker makes it, so that only what is drawn crosses to the page.
 */
export type HessianView = Omit<HessianReading, 'hessian' | 'gaussNewton' | 'residual'> & {
  activation: HessianActivation;
  points: number;
  figures: { split: Figure; spectrum: Figure };
  /** Milliseconds to make the figures (turning the matrices into rows and pooling them). */
  figureMs: number;
};

/**
 * The Hessian explorer's view of a reading: its numbers and the two figures, without the matrices.
 *
 * @example
 * import { hessianExplorerReading, hessianExplorerView } from './hessian';
 * const view = hessianExplorerView(await hessianExplorerReading({ activation: 'relu', widths: [3], points: 4 }), { activation: 'relu', points: 4 });
 * view.parameterCount; // 10
 * view.figures.split.data.length; // 3
 * 'hessian' in view; // false
 */
export function hessianExplorerView(reading: HessianReading, state: { activation: HessianActivation; points: number }): HessianView {
  const started = performance.now();
  const { hessian, gaussNewton, residual, ...numbers } = reading;
  const figures = hessianExplorerFigures({
    sizes: reading.sizes,
    activation: state.activation,
    points: state.points,
    hessian: matrixRows(hessian),
    gaussNewton: matrixRows(gaussNewton),
    residual: matrixRows(residual),
    nonZero: reading.spectrum.nonZero,
    zeros: reading.spectrum.zeros,
    maxCells: HESSIAN_HEATMAP_CELLS,
  });
  return { ...numbers, activation: state.activation, points: state.points, figures, figureMs: performance.now() - started };
}
