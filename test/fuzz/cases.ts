/**
 * The kernel fuzzer's cases: a random MLP, its parameters, and a random sequence of calls on it, drawn
 * from one seeded stream (random.ts), with every size kept under a cost budget.
 *
 * Cost model: one pass (forward and backward) over P points of a network with N parameters costs about
 * P·N in the float64 twin, which the comparison runs twice (as given and perturbed; see check.ts) and
 * which dominates a case's time (the kernel is ~20× faster). A call's sizes are drawn freely, then tasks
 * and points are halved until its cost is under BUDGET; calls whose smallest form is over it (a full
 * Hessian of a large network) are not drawn.
 */
import type { Random } from './random';
import type { Method } from '../../src/meta';

/** About 0.1 s of the float64 twin per call (measured: ~4·10⁸ P·N units per second on one core). */
export const BUDGET = 4e7;

export type FuzzActivation = 'relu' | 'tanh';

/** Points of a batch in float32 (the values the kernel sees; the twin reads the same numbers widened). */
export interface Points {
  x: Float32Array;
  y: Float32Array;
  tasks: number;
  points: number;
}
export interface Batch {
  support: Points;
  query: Points;
}

export interface MetaSettings {
  method: Method;
  steps: number;
  alpha: number;
  lambda: number;
  reptileRate: number;
  cg: { maxIterations: number; tolerance: number };
}

/** One call of a sequence; `expect: 'fail'` calls may throw (with a known message) and are then not compared. */
export type Call =
  | ({ kind: 'metaGradient'; batch: Batch; tfjs: boolean } & MetaSettings)
  | { kind: 'hessian' | 'split'; points: Points; task: number }
  | { kind: 'hvp'; points: Points; task: number; directions: Float32Array; m: number; tfjs: boolean }
  | { kind: 'lanczos'; points: Points; task: number; iterations: number; seed: number }
  | ({ kind: 'train'; objective: Exclude<Method, 'imaml'> | 'pretrain'; batches: Batch[]; learningRate: number } & MetaSettings)
  | { kind: 'evaluate'; batch: Batch; alpha: number; maxSteps: number }
  | ({ kind: 'diverge'; batch: Batch } & MetaSettings)
  | ({ kind: 'indefinite'; batch: Batch } & MetaSettings)
  | { kind: 'badShape'; batch: Batch }
  | { kind: 'oversized'; points: number; steps: number }
  | { kind: 'scribble' };

export interface Case {
  seed: number;
  index: number;
  sizes: number[];
  activation: FuzzActivation;
  /** θ in the flat order (W₁ row-major, b₁, …), float32. */
  theta: Float32Array;
  calls: Call[];
}

const FAILING = ['diverge', 'indefinite', 'badShape', 'oversized', 'scribble'] as const;

/** A network: depth 1–40 weight layers (a quarter of cases 25–40, around the kernel's old 32-layer table), widths 1–70. */
function network(r: Random): { sizes: number[]; activation: FuzzActivation } {
  const depth = r.chance(0.25) ? r.int(25, 40) : r.logInt(1, 24);
  const inputs = r.logInt(1, 6);
  const outputs = r.logInt(1, 5);
  const uniform = r.chance(0.5) ? r.logInt(1, 70) : 0;
  const hidden = Array.from({ length: depth - 1 }, () => uniform || r.logInt(1, 70));
  return { sizes: [inputs, ...hidden, outputs], activation: r.pick(['relu', 'tanh'] as const) };
}

export function parameterCount(sizes: readonly number[]): number {
  let n = 0;
  for (let l = 1; l < sizes.length; l++) n += sizes[l - 1] * sizes[l] + sizes[l];
  return n;
}

/** Glorot-normal weights (He for relu) times a gain in [0.5, 1.5], biases N(0, 0.1²): rounded to float32. */
function parameters(r: Random, sizes: readonly number[], activation: FuzzActivation): Float32Array {
  const theta = new Float32Array(parameterCount(sizes));
  const gain = r.logUniform(0.5, 1.5);
  let at = 0;
  for (let l = 1; l < sizes.length; l++) {
    const [fanIn, fanOut] = [sizes[l - 1], sizes[l]];
    const std = gain * (activation === 'relu' ? Math.sqrt(2 / fanIn) : Math.sqrt(2 / (fanIn + fanOut)));
    for (let i = 0; i < fanIn * fanOut; i++) theta[at++] = std * r.normal();
    for (let i = 0; i < fanOut; i++) theta[at++] = 0.1 * r.normal();
  }
  return theta;
}

function points(r: Random, tasks: number, count: number, inputs: number, outputs: number): Points {
  const x = Float32Array.from({ length: tasks * count * inputs }, () => r.normal());
  const y = Float32Array.from({ length: tasks * count * outputs }, () => r.normal());
  return { x, y, tasks, points: count };
}

/** Tasks and points drawn log-uniformly (1–200, 1–50), then halved until `cost(tasks, points)` is under BUDGET. */
function shrink(r: Random, cost: (tasks: number, points: number) => number, maxTasks = 200): [number, number] {
  let tasks = r.logInt(1, maxTasks);
  let count = r.logInt(1, 50);
  while (cost(tasks, count) > BUDGET && (tasks > 1 || count > 1)) {
    if (tasks >= count && tasks > 1) tasks = Math.ceil(tasks / 2);
    else count = Math.ceil(count / 2);
  }
  return [tasks, count];
}

function settings(r: Random): MetaSettings {
  const alpha = r.logUniform(1e-4, 0.3);
  return {
    method: r.pick(['maml', 'fomaml', 'reptile', 'imaml'] as const),
    steps: r.logInt(1, 20),
    alpha,
    // iMAML's inner loop needs α·λ < 2 (metaGradient refuses the rest).
    lambda: Math.min(r.logUniform(0.5, 200), 1.5 / alpha),
    reptileRate: r.logUniform(0.1, 1),
    cg: { maxIterations: r.int(10, 60), tolerance: 1e-6 },
  };
}

/** Passes per task of a meta-gradient, in units of the support set's points (the query's count once). */
function metaPasses(s: MetaSettings): number {
  if (s.method === 'maml') return 3 * s.steps + 4 * s.steps;
  if (s.method === 'imaml') return 3 * s.steps + 4 * s.cg.maxIterations;
  return 3 * s.steps;
}

function metaBatch(r: Random, sizes: readonly number[], s: MetaSettings, maxTasks = 200, repeats = 1): Batch {
  const N = parameterCount(sizes);
  const [tasks, count] = shrink(r, (t, p) => repeats * t * N * (metaPasses(s) * p + 3 * p), maxTasks);
  const inputs = sizes[0];
  const outputs = sizes[sizes.length - 1];
  return { support: points(r, tasks, count, inputs, outputs), query: points(r, tasks, r.logInt(1, count), inputs, outputs) };
}

/** One call of a kind the network affords (a full Hessian only where N²·P fits the budget). */
function call(r: Random, sizes: readonly number[], kind: Call['kind']): Call | undefined {
  const N = parameterCount(sizes);
  const inputs = sizes[0];
  const outputs = sizes[sizes.length - 1];
  const small = N * sizes.length <= 20_000;
  switch (kind) {
    case 'metaGradient': {
      const s = settings(r);
      return { kind, ...s, batch: metaBatch(r, sizes, s), tfjs: small && r.chance(0.3) };
    }
    case 'hessian':
    case 'split': {
      const factor = kind === 'split' ? 3 : 1;
      if (factor * 4 * N * N > BUDGET) return undefined;
      const [tasks, count] = shrink(r, (_t, p) => factor * 4 * N * N * p, 8);
      return { kind, points: points(r, tasks, count, inputs, outputs), task: r.int(0, tasks - 1) };
    }
    case 'hvp': {
      const m = r.int(1, 4);
      const [tasks, count] = shrink(r, (_t, p) => 4 * m * N * p, 8);
      const directions = Float32Array.from({ length: m * N }, () => r.normal());
      return { kind, points: points(r, tasks, count, inputs, outputs), task: r.int(0, tasks - 1), directions, m, tfjs: small && r.chance(0.3) };
    }
    case 'lanczos': {
      const iterations = r.int(1, Math.min(N, 12));
      const [tasks, count] = shrink(r, (_t, p) => 4 * iterations * N * p, 4);
      return { kind, points: points(r, tasks, count, inputs, outputs), task: r.int(0, tasks - 1), iterations, seed: r.int(0, 1000) };
    }
    case 'train': {
      const s = settings(r);
      const iterations = r.int(1, 4);
      // Not iMAML: `train` gives it no CG settings, and its default stopping point (1e-4) is not the twin's.
      const objective = r.pick(['maml', 'fomaml', 'reptile', 'pretrain'] as const);
      const batches = Array.from({ length: iterations }, () => metaBatch(r, sizes, s, 30, iterations));
      return { kind, ...s, objective, batches, learningRate: r.logUniform(1e-4, 1e-2) };
    }
    case 'evaluate': {
      const maxSteps = r.int(0, 8);
      const [tasks, count] = shrink(r, (t, p) => t * N * p * (3 * maxSteps + 1));
      return { kind, batch: { support: points(r, tasks, count, inputs, outputs), query: points(r, tasks, r.logInt(1, 50), inputs, outputs) }, alpha: r.logUniform(1e-4, 0.3), maxSteps };
    }
    case 'diverge': {
      const s = settings(r);
      const method = r.pick(['maml', 'fomaml', 'reptile'] as const);
      return { kind, ...s, method, alpha: 1e30, steps: Math.min(s.steps, 4), batch: metaBatch(r, sizes, { ...s, method, steps: 4 }, 20) };
    }
    case 'indefinite': {
      const s = settings(r);
      const imaml = { ...s, method: 'imaml' as const, lambda: 1e-6, alpha: Math.min(s.alpha, 0.01), cg: { maxIterations: 20, tolerance: 1e-6 } };
      return { kind, ...imaml, batch: metaBatch(r, sizes, imaml, 20) };
    }
    case 'badShape': {
      const batch = metaBatch(r, sizes, settings(r), 4);
      return { kind, batch: { ...batch, query: points(r, batch.query.tasks, batch.query.points, inputs, outputs + 1) } };
    }
    case 'oversized': {
      // Exact MAML with k ≥ 15 keeps 16 banks; enough support points that they need more than 4 GiB.
      const perPoint = workspaceFloatsPerPoint(sizes) * 4 * 16;
      const count = Math.ceil(4.5 * 2 ** 30 / perPoint);
      if (count * (inputs + outputs) > 4e6) return undefined; // the tensors themselves would be large
      return { kind, points: count, steps: r.int(15, 20) };
    }
    case 'scribble':
      return { kind };
  }
}

/** Floats per point of one workspace bank (a, h, Ra, Rh, δ and δWᵀ per layer), as the wasm kernel lays it out. */
function workspaceFloatsPerPoint(sizes: readonly number[]): number {
  const round4 = (n: number) => (n + 3) & ~3;
  let floats = 0;
  for (let l = 1; l < sizes.length; l++) {
    const o4 = round4(sizes[l]);
    const linear = l === sizes.length - 1;
    floats += (linear ? 3 : 5) * o4 + (l === 1 ? sizes[0] : round4(sizes[l - 1]));
  }
  return floats;
}

const KINDS: readonly [Call['kind'], number][] = [
  ['metaGradient', 5],
  ['hvp', 3],
  ['hessian', 1],
  ['split', 1],
  ['lanczos', 1],
  ['train', 1],
  ['evaluate', 1],
];

function weighted(r: Random): Call['kind'] {
  const total = KINDS.reduce((s, [, w]) => s + w, 0);
  let at = r.next() * total;
  for (const [kind, w] of KINDS) {
    at -= w;
    if (at < 0) return kind;
  }
  return KINDS[0][0];
}

/**
 * Case `index` of the run seeded `seed`: a network, θ, and 2–8 calls, about a third of them calls that
 * fail (or poison the heap); each failing call is followed by a compared one, since what a failed call
 * leaves behind is the point.
 */
export function makeCase(r: Random, seed: number, index: number): Case {
  const { sizes, activation } = network(r);
  const theta = parameters(r, sizes, activation);
  const calls: Call[] = [];
  const length = r.int(2, 8);
  while (calls.length < length) {
    const failing = calls.length < length - 1 && r.chance(0.35);
    const kind = failing ? r.pick(FAILING) : weighted(r);
    const next = call(r, sizes, kind);
    if (next === undefined) continue;
    calls.push(next);
    if (failing) {
      let after: Call | undefined;
      // What failing calls leave is read by the products: favour them next.
      while (after === undefined) after = call(r, sizes, r.chance(0.5) ? r.pick(['hvp', 'lanczos', 'hessian'] as const) : weighted(r));
      calls.push(after);
    }
  }
  return { seed, index, sizes, activation, theta, calls };
}
