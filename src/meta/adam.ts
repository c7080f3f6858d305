import * as tf from '@tensorflow/tfjs';
import { requirePositive } from './validate';
import { tidyTensors } from './tidy';

/** Adam's moment estimates and step count. */
export interface AdamState {
  m: tf.Tensor[];
  v: tf.Tensor[];
  t: number;
}

/** Adam's settings; defaults are Kingma & Ba's (and the MAML paper's learning rate 1e-3). */
export interface AdamOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * Adam as a pair of pure functions, so parameters stay plain tensors (tfjs's own optimizers update
 * tf.Variables in place, which does not fit a functional meta-learning loop). `step` returns new tensors;
 * the caller disposes the old ones (`tf.dispose([oldParams, oldState.m, oldState.v])`).
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { adam } from 'maml-lab/meta';
 * const opt = adam({ learningRate: 0.1 });
 * let params: tf.Tensor[] = [tf.tensor1d([1, -1])];
 * let state = opt.init(params);
 * ({ params, state } = opt.step(params, [tf.tensor1d([0.5, -2])], state));
 * // Adam's first step is learningRate·sign(gradient), whatever the gradient's size
 * params[0].dataSync(); // ≈ [0.9, -0.9]
 */
export function adam(options: AdamOptions = {}) {
  const lr = options.learningRate ?? 1e-3;
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const epsilon = options.epsilon ?? 1e-8;
  requirePositive('learningRate', lr);
  requirePositive('epsilon', epsilon);
  for (const [name, beta] of [['beta1', beta1], ['beta2', beta2]] as const) {
    if (!(beta >= 0 && beta < 1)) throw new RangeError(`${name} must be in [0, 1), got ${beta}`);
  }
  return {
    init(params: readonly tf.Tensor[]): AdamState {
      return { m: params.map((p) => tf.zerosLike(p)), v: params.map((p) => tf.zerosLike(p)), t: 0 };
    },
    step(params: readonly tf.Tensor[], grads: readonly tf.Tensor[], state: AdamState): { params: tf.Tensor[]; state: AdamState } {
      const t = state.t + 1;
      const stepSize = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
      return tidyTensors(() => {
        const m = state.m.map((mi, i) => tf.add(tf.mul(beta1, mi), tf.mul(1 - beta1, grads[i])));
        const v = state.v.map((vi, i) => tf.add(tf.mul(beta2, vi), tf.mul(1 - beta2, tf.square(grads[i]))));
        const next = params.map((p, i) => tf.sub(p, tf.mul(stepSize, tf.div(m[i], tf.add(tf.sqrt(v[i]), epsilon)))));
        return { params: next, state: { m, v, t } };
      });
    },
  };
}

/** Adam's moments over a flat parameter vector, for `adamArrays`. */
export interface AdamArrayState {
  m: Float64Array;
  v: Float64Array;
  t: number;
}

/**
 * Adam over plain arrays, updating the parameters in place: the same rule as `adam`, for loops that keep
 * their parameters outside tfjs (training on the kernel), where a dozen tensor ops per parameter tensor
 * would cost more than the meta-gradient itself.
 *
 * @example
 * import { adamArrays } from 'maml-lab/meta';
 * const opt = adamArrays({ learningRate: 0.1 });
 * const params = Float32Array.of(1, -1);
 * const state = opt.init(2);
 * opt.step(params, [0.5, -2], state);
 * // Adam's first step is learningRate·sign(gradient), whatever the gradient's size
 * Array.from(params); // ≈ [0.9, -0.9]
 */
export function adamArrays(options: AdamOptions = {}) {
  const lr = options.learningRate ?? 1e-3;
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const epsilon = options.epsilon ?? 1e-8;
  adam(options); // the same checks, the same messages
  return {
    init: (n: number): AdamArrayState => ({ m: new Float64Array(n), v: new Float64Array(n), t: 0 }),
    step(params: Float32Array | Float64Array, grads: ArrayLike<number>, state: AdamArrayState): void {
      state.t += 1;
      const stepSize = (lr * Math.sqrt(1 - beta2 ** state.t)) / (1 - beta1 ** state.t);
      const { m, v } = state;
      for (let i = 0; i < params.length; i++) {
        const g = grads[i];
        m[i] = beta1 * m[i] + (1 - beta1) * g;
        v[i] = beta2 * v[i] + (1 - beta2) * g * g;
        params[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) + epsilon);
      }
    },
  };
}
