/*
 * What the sinusoid explorer (sinusoidExplorer.ts) computes for one state, without the DOM: each model
 * adapted step by step on the reader's support points by the kernel (float32), its curve and query MSE
 * after every step, and the float64 check of the same adaptation by the derivations' reference route. The
 * page's Worker (workerTasks.ts) and the book's check in Node call this same function, each with its own
 * instance of the wasm kernel.
 */
import { innerTrajectory } from '../derivations/exact';
import { mlp64, type Data64 } from '../derivations/float64Mlp';
import type { Instance } from '../derivations/instance';
import { relativeError } from '../derivations/numeric';
import { kernelLossCurve } from '../kernel/adaptation';
import type { KernelMath } from '../kernel/math';
import type { CheckOutcome } from './curvature';
import type { SinusoidExplorerSettings } from './sinusoidSettings';

/** The x at which the explorer draws curves and scores them: 101 points on [−5, 5], notebook 08's grid. */
export const SINUSOID_GRID: readonly number[] = Array.from({ length: 101 }, (_, i) => -5 + i / 10);

/**
 * How far the kernel's float32 adaptation may be from the float64 reference (relative, for the adapted
 * parameters and for the query MSE after each step): float32 rounds at 2⁻²⁴ ≈ 6e-8, and the error grows
 * through the two hidden layers' sums (40 terms each) and the k steps (measured: about 1e-7 for the trained
 * models of notebook 08); 1e-5 leaves room for that and still fails on any real difference (a wrong α, a
 * missed step, a wrong model).
 */
export const SINUSOID_CHECK_TOLERANCE = 1e-5;

/** One model to adapt: its name and its parameters, flat, in the order of `mlp(sizes).params`. */
export interface SinusoidModel {
  name: string;
  theta: readonly number[];
}

/** One state of the explorer: the task (its amplitude and phase), the support points' x, and what to adapt. */
export interface SinusoidAdaptationInput {
  sizes: readonly number[];
  activation: 'relu' | 'tanh';
  alpha: number;
  steps: number;
  models: readonly SinusoidModel[];
  amplitude: number;
  phase: number;
  /** The support points' x; their y is the task's sine there. */
  points: readonly number[];
}

/** One model's adaptation: its curve and query MSE after 0, 1, …, steps steps. */
export interface SinusoidModelRun {
  name: string;
  /** predictions[s][i]: the kernel's output at SINUSOID_GRID[i] after s steps (float32, widened). */
  predictions: number[][];
  /** The kernel's query MSE from the true sine on the grid after each step. */
  queryMse: number[];
  /** The same after each step of the float64 reference. */
  referenceQueryMse: number[];
  /** Relative difference of the kernel's adapted parameters from the reference's after each step. */
  parameterError: number[];
}

/** What the explorer shows for one state. */
export interface SinusoidAdaptation {
  /** The true sine on SINUSOID_GRID. */
  truth: number[];
  /** The support points' y. */
  supportY: number[];
  runs: SinusoidModelRun[];
  /** The largest relative difference, over models and steps, of parameters and query MSE. */
  largestError: number;
  /** Milliseconds spent in the kernel's adaptation (every model and step, with the curves read out) and in the float64 reference. */
  kernelMs: number;
  referenceMs: number;
  check: CheckOutcome;
}

/**
 * The task's sine, y = A·sin(x − φ): the family `sinusoidTasks` draws (there in tfjs float32).
 *
 * @example
 * import { sineTarget } from './sinusoid';
 * sineTarget(2, 0, Math.PI / 2); // 2
 */
export function sineTarget(amplitude: number, phase: number, x: number): number {
  return amplitude * Math.sin(x - phase);
}

/**
 * The check's verdict from the largest relative difference between the float32 kernel and the float64
 * reference (over models, steps, parameters and query MSE).
 *
 * @example
 * import { sinusoidCheck } from './sinusoid';
 * sinusoidCheck(3e-7, 2, 10).passed; // true
 * sinusoidCheck(0.02, 2, 10).passed; // false
 */
export function sinusoidCheck(largestError: number, models: number, steps: number): CheckOutcome {
  const passed = largestError <= SINUSOID_CHECK_TOLERANCE;
  return {
    passed,
    text:
      `float32 kernel against float64 (the derivations' backprop and inner loop): ${models} model(s), steps 0–${steps}, ` +
      `adapted parameters and query MSE, largest relative difference ${largestError.toExponential(1)} (${passed ? '≤' : '>'} ${SINUSOID_CHECK_TOLERANCE}, float32 rounding)`,
  };
}

/**
 * Adapts each model on the support points by `steps` plain SGD steps of size α on the kernel `math` (made
 * for `input.sizes` and `input.activation`), with its curve and query MSE (from the true sine on
 * SINUSOID_GRID) after every step, and checks every step against the float64 reference route. With no
 * support points there is nothing to adapt on: every step is θ itself. `onModel(done, total, name)` is
 * called as each model starts (the Worker's progress).
 *
 * @example
 * import { float64Math } from 'maml-lab/kernel';
 * import { sinusoidAdaptation } from './sinusoid';
 * // A linear model M(x) = w·x + b from w = b = 0, on one support point of a sine with A = 1, φ = 0
 * const input = { sizes: [1, 1], activation: 'relu' as const, alpha: 0.1, steps: 2, models: [{ name: 'linear', theta: [0, 0] }], amplitude: 1, phase: 0, points: [1] };
 * const r = sinusoidAdaptation(float64Math([1, 1], 'identity'), input);
 * r.runs[0].predictions.length; // 3
 * // two steps toward the point (1, sin 1): the curve rises there from 0 (grid index 60 is x = 1)
 * r.runs[0].predictions[0][60]; // 0
 * r.runs[0].predictions[2][60] > 0; // true
 * r.check.passed; // true
 */
export function sinusoidAdaptation(math: KernelMath, input: SinusoidAdaptationInput, onModel?: (done: number, total: number, name: string) => void): SinusoidAdaptation {
  const { alpha, steps, amplitude, phase, points } = input;
  const grid = SINUSOID_GRID;
  const truth = grid.map((x) => sineTarget(amplitude, phase, x));
  const supportY = points.map((x) => sineTarget(amplitude, phase, x));
  const n = grid.length;
  const P = points.length;
  const net = mlp64(input.sizes, input.activation);
  const support64: Data64 = { x: Float64Array.from(points), y: Float64Array.from(supportY), points: P };
  const query64: Data64 = { x: Float64Array.from(grid), y: Float64Array.from(truth), points: n };
  let largestError = 0;
  let kernelMs = 0;
  let referenceMs = 0;
  const runs = input.models.map((model, m): SinusoidModelRun => {
    onModel?.(m, input.models.length, model.name);
    const theta = Float64Array.from(model.theta);
    if (theta.length !== net.parameterCount) throw new RangeError(`model ${model.name}: theta has ${theta.length} numbers, the network ${input.sizes.join('-')} has ${net.parameterCount} parameters`);
    // The kernel, float32: the query is the grid with the true sine as targets, so its loss curve is the
    // query MSE and its outputs after each step's query forward pass are the curve drawn.
    const kernelSteps = P === 0 ? 0 : steps;
    const predictions: number[][] = [];
    const adapted: Float64Array[] = [];
    const out = new Float64Array(n);
    const kernelStart = performance.now();
    const curve = kernelLossCurve(
      math,
      theta,
      { support: { x: points, y: supportY, tasks: 1, points: P }, query: { x: grid, y: truth, tasks: 1, points: n } },
      alpha,
      kernelSteps,
      (_s, _t, phi) => {
        math.outputsAfterForward(n, out);
        predictions.push(Array.from(out));
        const flat = new Float64Array(theta.length);
        math.readFlat(phi, flat, 0);
        adapted.push(flat);
      },
    );
    // The float64 reference: the derivations' inner loop θᵢ = θᵢ₋₁ − α∇L⁽⁰⁾(θᵢ₋₁) on their hand-written
    // backprop, which shares no code with the kernel. (innerTrajectory reads only net, support and α.)
    kernelMs += performance.now() - kernelStart;
    const referenceStart = performance.now();
    const instance = { name: model.name, net, theta, support: support64, query: query64, alpha } as unknown as Instance;
    const path = innerTrajectory(instance, kernelSteps, theta);
    const referenceQueryMse = path.map((t) => net.loss(t, query64));
    referenceMs += performance.now() - referenceStart;
    const queryMse = Array.from(curve);
    const parameterError = path.map((t, s) => relativeError(adapted[s], t));
    for (let s = 0; s <= kernelSteps; s++) {
      const mseError = Math.abs(queryMse[s] - referenceQueryMse[s]) / Math.max(referenceQueryMse[s], 1e-12);
      largestError = Math.max(largestError, parameterError[s], mseError);
    }
    // No support points: every step is θ itself.
    while (predictions.length <= steps) {
      predictions.push(predictions[0]);
      queryMse.push(queryMse[0]);
      referenceQueryMse.push(referenceQueryMse[0]);
      parameterError.push(parameterError[0]);
    }
    return { name: model.name, predictions, queryMse, referenceQueryMse, parameterError };
  });
  if (!Number.isFinite(largestError)) largestError = Infinity;
  return { truth, supportY, runs, largestError, kernelMs, referenceMs, check: sinusoidCheck(largestError, input.models.length, P === 0 ? 0 : steps) };
}

/** The explorer's state: the task, the support points' x, and the step shown. */
export interface SinusoidExplorerState {
  amplitude: number;
  phase: number;
  points: number[];
  step: number;
}

/**
 * Where the explorer reads predictions out (grid indices of x = −4, −2, 0, 2, 4), for the read-outs and the book's check.
 *
 * @example
 * import { SINUSOID_GRID, SINUSOID_READOUT_INDICES } from './sinusoid';
 * SINUSOID_READOUT_INDICES.map((i) => SINUSOID_GRID[i]); // [-4, -2, 0, 2, 4]
 */
export const SINUSOID_READOUT_INDICES: readonly number[] = [10, 30, 50, 70, 90];

/**
 * The Worker's input for an explorer state: the settings' network, models and inner loop, the state's task
 * and points.
 *
 * @example
 * import { sinusoidInput } from './sinusoid';
 * const settings = { sizes: [1, 1], activation: 'relu' as const, alpha: 0.01, steps: 10, models: [{ name: 'linear', theta: [1, 0] }],
 *   amplitudeRange: [0.1, 5] as [number, number], phaseRange: [0, Math.PI] as [number, number], amplitude: 2, phase: 1, points: [-1, 2] };
 * sinusoidInput(settings, { amplitude: 3, phase: 0, points: [1], step: 4 }).amplitude; // 3
 */
export function sinusoidInput(settings: SinusoidExplorerSettings, state: SinusoidExplorerState): SinusoidAdaptationInput {
  return { sizes: settings.sizes, activation: settings.activation, alpha: settings.alpha, steps: settings.steps, models: settings.models, amplitude: state.amplitude, phase: state.phase, points: state.points };
}
