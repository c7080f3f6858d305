import * as tf from '@tensorflow/tfjs';
import { metaGradientVariants, seededUniforms, toLayout, type TensorLayout } from '../src/derivations';
import type { Instance } from '../src/derivations';
import { mlp64 } from '../src/derivations';
import { flattenParams, metaGradient, mlp, regressionTasks, disposeTasks, type Activation, type Method } from '../src/meta';

/*
 * Doctor test cases: a small MLP, a meta-batch and, for every catalogue entry, a meta-gradient generated
 * by a route other than the doctor's own where the package has one (metaGradient on the kernel, in float32:
 * maml, fomaml, reptile, imaml with λ and with 1/λ, one-loss as maml on tasks whose query is their support,
 * sum-over-tasks and half-mse as T and ½ times the kernel's maml), and otherwise the float64 variant
 * rounded to float32 (hessian-at-theta, second-order-last-steps-only, wrong-sign, no-adaptation).
 */

export interface DoctorCase {
  label: string;
  sizes: number[];
  activation: Activation;
  steps: number;
  alpha: number;
  lambda: number;
  tasks: number;
  /** The doctor's input without its gradient, in `layout`. */
  input: Record<string, unknown>;
  layout: TensorLayout;
  /** Each catalogue name → the flat maml-lab gradient generated for it. */
  generated: Map<string, Float64Array>;
  /** Which route made each one. */
  routes: Map<string, string>;
  /** Entries the kernel could not generate (iMAML where I + H/λ is not positive definite). */
  skipped: string[];
}

type Sets = { x: number[][][]; y: number[][][] };

function drawSets(sizes: number[], tasks: number, points: number, rand: () => number): { support: Sets; query: Sets } {
  const [inputs, outputs] = [sizes[0], sizes[sizes.length - 1]];
  const f32 = Math.fround;
  const task = Array.from({ length: tasks }, () => ({
    w: Array.from({ length: outputs }, () => Array.from({ length: inputs }, () => f32(2 * rand() - 1))),
    amp: Array.from({ length: outputs }, () => 0.5 + rand()),
    phase: Array.from({ length: outputs }, () => Math.PI * rand()),
  }));
  const set = (): Sets => {
    const x = task.map(() => Array.from({ length: points }, () => Array.from({ length: inputs }, () => f32(4 * rand() - 2))));
    const y = x.map((tx, t) => tx.map((p) => task[t].w.map((w, o) => f32(task[t].amp[o] * Math.sin(w.reduce((s, wi, i) => s + wi * p[i], 0) + task[t].phase[o])))));
    return { x, y };
  };
  return { support: set(), query: set() };
}

function kernelGradient(sizes: number[], activation: Activation, params: tf.Tensor[], sets: { support: Sets; query: Sets }, options: { alpha: number; steps: number; method: Method; lambda?: number }): Float64Array {
  const batch = regressionTasks(sets);
  try {
    const r = metaGradient(mlp(sizes, { activation }), params, batch, { ...options, cg: { tolerance: 1e-7, maxIterations: 500 } });
    const flat = flattenParams(r.grads);
    const out = Float64Array.from(flat.dataSync());
    tf.dispose([...r.grads, flat]);
    return out;
  } finally {
    disposeTasks(batch);
  }
}

/**
 * One case: MLP `sizes` with `activation`, `tasks` tasks of 5 + 5 points drawn from `seed`, θ from
 * mlp(sizes).init(seed), k = steps, and every catalogue entry's gradient.
 */
export function doctorCase(spec: { sizes: number[]; activation: Activation; steps: number; seed: number; alpha: number; lambda: number; layout: TensorLayout; tasks?: number }): DoctorCase {
  const { sizes, activation, steps, seed, alpha, lambda, layout } = spec;
  const tasks = spec.tasks ?? 3;
  const sets = drawSets(sizes, tasks, 5, seededUniforms(seed + 1));
  const model = mlp(sizes, { activation });
  const params = model.init(seed);
  const thetaTensor = flattenParams(params);
  const theta = Float64Array.from(thetaTensor.dataSync());
  thetaTensor.dispose();
  const generated = new Map<string, Float64Array>();
  const routes = new Map<string, string>();
  const skipped: string[] = [];
  const put = (name: string, route: string, g: Float64Array) => {
    generated.set(name, g);
    routes.set(name, route);
  };
  try {
    const kernel = (method: Method, extra: { lambda?: number; sets?: typeof sets } = {}) =>
      kernelGradient(sizes, activation, params, extra.sets ?? sets, { alpha, steps, method, ...(extra.lambda ? { lambda: extra.lambda } : {}) });
    const maml = kernel('maml');
    put('maml', 'metaGradient maml (kernel, float32)', maml);
    put('fomaml', 'metaGradient fomaml (kernel, float32)', kernel('fomaml'));
    put('reptile', 'metaGradient reptile (kernel, float32)', kernel('reptile'));
    // iMAML needs I + H/λ positive definite: where the support loss is too curved for λ (or 1/λ) the
    // kernel refuses, the doctor lists the variant as not compared, and the case has no such entry.
    for (const [name, l] of [['imaml', lambda], ['imaml(1/lambda)', 1 / lambda]] as const) {
      try {
        put(name, `metaGradient imaml with λ = ${l} (kernel, float32)`, kernel('imaml', { lambda: l }));
      } catch (error) {
        if (!/not positive definite/.test((error as Error).message)) throw error;
        skipped.push(name);
      }
    }
    put('one-loss', 'metaGradient maml, query := support (kernel, float32)', kernel('maml', { sets: { support: sets.support, query: sets.support } }));
    put('sum-over-tasks', 'T × metaGradient maml', maml.map((v) => v * tasks));
    put('half-mse', '½ × metaGradient maml', maml.map((v) => v / 2));
  } finally {
    tf.dispose(params);
  }
  // The entries with no route but the float64 one: the doctor's own vector, rounded to float32.
  const net = mlp64(sizes, activation);
  const data = (s: Sets, t: number) => ({ x: Float64Array.from(s.x[t].flat()), y: Float64Array.from(s.y[t].flat()), points: s.x[t].length });
  const instances: Instance[] = Array.from({ length: tasks }, (_, t) => ({ name: `task ${t}`, model, net, theta, alpha, support: data(sets.support, t), query: data(sets.query, t) }));
  for (const v of metaGradientVariants(instances, { steps, lambda }).variants) {
    if (!generated.has(v.name) && !skipped.includes(v.name)) put(v.name, 'float64 variant rounded to float32', v.vector.map(Math.fround));
  }
  const input = { model: { sizes, activation, layout }, params: toLayout(sizes, layout, theta), support: sets.support, query: sets.query, alpha, steps, lambda };
  return { label: `[${sizes.join('-')}] ${activation}, k = ${steps}, ${layout} layout`, sizes, activation, steps, alpha, lambda, tasks, input, layout, generated, routes, skipped };
}
