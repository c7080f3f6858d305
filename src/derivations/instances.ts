import * as tf from '@tensorflow/tfjs';
import { mlp, type Model } from '../meta/model';
import { flattenParams } from '../meta/params';
import { requireInteger, requirePositive } from '../meta/validate';
import { innerUpdate64 } from './exact';
import { tidyValue } from '../meta/tidy';
import { mlp64, type Data64 } from './float64Mlp';
import type { Instance } from './instance';

export type { Instance } from './instance';

/** The model families of the standard instances. */
export type InstanceKind = 'linear' | 'tanh' | 'relu';

/** How to draw an instance; everything is seeded. */
export interface InstanceSpec {
  kind: InstanceKind;
  seed: number;
  alpha?: number;
  hidden?: number;
  points?: number;
}

const DEFAULT_ALPHA = 0.1;
/** FD routes step by 1e-5; a ReLU pre-activation nearer than this to 0 could flip inside the stencil. */
const MIN_KINK_MARGIN = 1e-3;
/** Instances are drawn so that the kink margin holds along this many inner steps (covers --steps ≤ 10). */
const MARGIN_STEPS = 10;

/**
 * One task, y = A·sin(x − φ): its amplitude and phase drawn once, then support and query inputs
 * drawn separately, so the two sets are two batches of the same task. Seeds 4s+1…4s+3 never overlap across s.
 */
function sinusoidTask(seed: number, points: number): { support: Data64; query: Data64 } {
  return tidyValue(() => {
    const [u, v] = tf.randomUniform([2], 0, 1, 'float32', 4 * seed + 1).dataSync();
    const amplitude = 0.5 + 1.5 * u;
    const phase = Math.PI * v;
    const draw = (s: number): Data64 => {
      const xs = Float64Array.from(tf.randomUniform([points, 1], -2, 2, 'float32', s).dataSync());
      // fround: the float64 routes see exactly the numbers the float32 routes see.
      return { x: xs, y: xs.map((t) => Math.fround(amplitude * Math.sin(t - phase))), points };
    };
    return { support: draw(4 * seed + 2), query: draw(4 * seed + 3) };
  });
}

/**
 * Draws one instance: one task y = A·sin(x − φ) (A ∈ [0.5, 2], φ ∈ [0, π]) with 8 support and 8 query points
 * drawn separately from x ∈ [−2, 2], and a model `[1, 1]` (linear regression), `[1, 6, 1]` tanh or `[1, 6, 1]` ReLU. ReLU instances are
 * redrawn until no hidden pre-activation lies within 1e-3 of the kink along 10 inner steps, since a finite
 * difference across a kink measures a one-sided slope, not the derivative.
 *
 * @example
 * import { makeInstance } from 'maml-lab/derivations';
 * const inst = makeInstance({ kind: 'tanh', seed: 0 });
 * inst.theta.length; // 19
 * inst.support.points; // 8
 */
export function makeInstance(spec: InstanceSpec): Instance {
  const kinds: InstanceKind[] = ['linear', 'tanh', 'relu'];
  if (!kinds.includes(spec.kind)) throw new RangeError(`kind must be one of ${kinds.join(', ')}, got ${JSON.stringify(spec.kind)}`);
  requireInteger('seed', spec.seed, 0);
  const alpha = spec.alpha ?? DEFAULT_ALPHA;
  requirePositive('alpha', alpha);
  const hidden = spec.hidden ?? 6;
  const points = spec.points ?? 8;
  requireInteger('hidden', hidden, 1);
  requireInteger('points', points, 1);
  const sizes = spec.kind === 'linear' ? [1, 1] : [1, hidden, 1];
  const activation = spec.kind === 'relu' ? 'relu' : 'tanh';
  const model = mlp(sizes, { activation });
  const net = mlp64(sizes, activation);
  for (let attempt = 0; attempt < 50; attempt++) {
    const seed = spec.seed + 1000 * attempt;
    const theta = tidyValue(() => Float64Array.from(flattenParams(model.init(seed)).dataSync()));
    const { support, query } = sinusoidTask(seed, points);
    const name = `${spec.kind === 'linear' ? 'linear regression' : `${activation} MLP [${sizes.join('-')}]`}, seed ${spec.seed}`;
    const instance: Instance = { name, model, net, theta, support, query, alpha };
    if (spec.kind !== 'relu' || kinkMarginAlongInnerLoop(instance, MARGIN_STEPS) >= MIN_KINK_MARGIN) return instance;
  }
  throw new Error(`could not draw a ReLU instance for seed ${spec.seed} that keeps clear of the kinks`);
}

function kinkMarginAlongInnerLoop(inst: Instance, steps: number): number {
  let theta = inst.theta;
  let margin = Infinity;
  for (let i = 0; i <= steps; i++) {
    margin = Math.min(margin, inst.net.kinkMargin(theta, inst.support), inst.net.kinkMargin(theta, inst.query));
    theta = innerUpdate64(inst, theta);
  }
  return margin;
}

/**
 * The instances the catalogue is checked on: linear regression (constant Hessian), a tanh MLP and a ReLU MLP,
 * each for every seed.
 *
 * @example
 * import { standardInstances } from 'maml-lab/derivations';
 * standardInstances([0]).map((inst) => inst.name); // ["linear regression, seed 0", "tanh MLP [1-6-1], seed 0", "relu MLP [1-6-1], seed 0"]
 */
export function standardInstances(seeds: readonly number[] = [0, 1]): Instance[] {
  const kinds: InstanceKind[] = ['linear', 'tanh', 'relu'];
  return kinds.flatMap((kind) => seeds.map((seed) => makeInstance({ kind, seed })));
}
