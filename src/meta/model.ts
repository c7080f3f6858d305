import * as tf from '@tensorflow/tfjs';
import { requireInteger } from './validate';
import { tanh } from './activations';

/** Hidden-layer nonlinearity of an MLP; the output layer is always linear. */
export type Activation = 'tanh' | 'relu';

/**
 * A model in the functional style: parameters live outside it, as an ordered list of tensors
 * W₁, b₁, W₂, b₂, … with Wᵢ of shape [in, out]; each layer computes x·W + b.
 */
export interface Model {
  readonly sizes: readonly number[];
  readonly activation: Activation;
  /** Shapes of W₁, b₁, W₂, b₂, … in order. */
  readonly shapes: readonly (readonly number[])[];
  /** Total number of scalar parameters. */
  readonly parameterCount: number;
  /** Fresh parameters, the same for the same seed. */
  init(seed: number): tf.Tensor[];
  /**
   * Outputs [points, outputs] for inputs x [points, inputs] and shared parameters; or, for a batch of
   * tasks, outputs [tasks, points, outputs] for x [tasks, points, inputs] and per-task parameters (each
   * with a leading task axis: W [tasks, in, out], b [tasks, out]).
   */
  apply(params: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor;
}

/**
 * A fully connected network with the given layer sizes, e.g. `[1, 40, 40, 1]`; `[d, 1]` is linear regression.
 * Weights start Glorot-normal; biases start N(0, 0.1²) rather than zero, so that ReLU kinks do not all sit
 * at x = 0 and the derivation checks run on generic points.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { mlp } from 'maml-lab/meta';
 * const model = mlp([1, 8, 1], { activation: 'tanh' });
 * model.parameterCount; // 25
 * const params = model.init(0); // W₁ [1, 8], b₁ [8], W₂ [8, 1], b₂ [1]
 * model.apply(params, tf.tensor2d([[0.5], [1]])).shape; // [2, 1]
 */
export function mlp(sizes: readonly number[], options: { activation?: Activation } = {}): Model {
  if (!Array.isArray(sizes) || sizes.length < 2) {
    throw new RangeError(`sizes must list at least an input and an output size, e.g. [1, 40, 1], got ${JSON.stringify(sizes)}`);
  }
  sizes.forEach((s, i) => requireInteger(`sizes[${i}]`, s, 1));
  const activation = options.activation ?? 'relu';
  if (activation !== 'tanh' && activation !== 'relu') {
    throw new RangeError(`activation must be 'tanh' or 'relu', got ${JSON.stringify(activation)}`);
  }
  const shapes: number[][] = [];
  for (let l = 1; l < sizes.length; l++) shapes.push([sizes[l - 1], sizes[l]], [sizes[l]]);
  const parameterCount = shapes.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
  // tanh from ./activations: tf.tanh's second derivative is wrong (see there). ReLU's is zero, which tfjs gets right.
  const nonlinearity = activation === 'tanh' ? tanh : tf.relu;

  const model: Model = {
    sizes: [...sizes],
    activation,
    shapes,
    parameterCount,
    init(seed: number): tf.Tensor[] {
      requireInteger('seed', seed, 0);
      // tfjs treats a seed of 0 as "no seed" (it falls back to Math.random), so every seed is offset by 1.
      return tf.tidy(() =>
        shapes.map((shape, i) => {
          if (shape.length === 2) {
            const std = Math.sqrt(2 / (shape[0] + shape[1]));
            return tf.randomNormal(shape, 0, std, 'float32', seed * 1000 + i + 1);
          }
          return tf.randomNormal(shape, 0, 0.1, 'float32', seed * 1000 + i + 1);
        }),
      );
    },
    apply(params: readonly tf.Tensor[], x: tf.Tensor): tf.Tensor {
      const tasks = x.rank === 3 ? x.shape[0] : undefined;
      if ((x.rank !== 2 && x.rank !== 3) || x.shape[x.rank - 1] !== sizes[0]) {
        throw new RangeError(`x must have shape [points, ${sizes[0]}] or [tasks, points, ${sizes[0]}], got [${x.shape.join(', ')}]`);
      }
      checkParams(model, params, tasks);
      return tf.tidy(() => {
        let h: tf.Tensor = x;
        for (let l = 0; l < params.length; l += 2) {
          // Per-task biases [tasks, out] gain a points axis to broadcast over [tasks, points, out].
          const bias = tasks === undefined ? params[l + 1] : tf.expandDims(params[l + 1], 1);
          // With one input feature x·W is an outer product: a broadcast multiply is the same number and
          // costs wasm a fraction of a (batched) matmul, in the forward and in every backward pass.
          const product = h.shape[h.rank - 1] === 1 ? tf.mul(h, params[l]) : tf.matMul(h as tf.Tensor3D, params[l] as tf.Tensor3D);
          const a = tf.add(product, bias);
          h = l + 2 < params.length ? nonlinearity(a) : a;
        }
        return h;
      });
    },
  };
  return model;
}

/**
 * Throws unless `params` is a list of tensors with exactly the model's shapes (each with a leading axis of
 * `tasks` when given: per-task parameters), naming the first mismatch.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { checkParams, mlp } from 'maml-lab/meta';
 * checkParams(mlp([1, 1]), [tf.zeros([1, 1]), tf.zeros([1])]); // ok
 * checkParams(mlp([1, 1]), [tf.zeros([5, 1, 1]), tf.zeros([5, 1])], 5); // ok: 5 tasks
 * let message = '';
 * try { checkParams(mlp([1, 1]), [tf.zeros([1, 2]), tf.zeros([1])]); } catch (e) { message = (e as Error).message; }
 * message; // "params[0] must have shape [1, 1], got [1, 2]"
 */
export function checkParams(model: Model, params: readonly tf.Tensor[], tasks?: number): void {
  if (!Array.isArray(params) || params.length !== model.shapes.length) {
    throw new RangeError(
      `params must be a list of ${model.shapes.length} tensors (W₁, b₁, …) for an MLP of sizes [${model.sizes.join(', ')}], got ${Array.isArray(params) ? params.length : typeof params}`,
    );
  }
  params.forEach((p, i) => {
    const want = tasks === undefined ? model.shapes[i] : [tasks, ...model.shapes[i]];
    if (p.shape.length !== want.length || p.shape.some((d: number, j: number) => d !== want[j])) {
      throw new RangeError(`params[${i}] must have shape [${want.join(', ')}], got [${p.shape.join(', ')}]`);
    }
  });
}

/**
 * Throws unless `points` holds x and y for this model: both [points, features] (one task) or both
 * [tasks, points, features], with the model's input and output widths and the same tasks and points.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { checkPoints, mlp } from 'maml-lab/meta';
 * checkPoints(mlp([1, 1]), { x: tf.zeros([4, 1]), y: tf.zeros([4, 1]) }); // ok
 * let message = '';
 * try { checkPoints(mlp([1, 1]), { x: tf.zeros([4, 1]), y: tf.zeros([4, 2]) }); } catch (e) { message = (e as Error).message; }
 * message; // "points.y must have 1 output(s) for this model, got 2"
 */
export function checkPoints(model: Model, points: { x: tf.Tensor; y: tf.Tensor }): void {
  const { x, y } = points ?? {};
  if (!(x instanceof tf.Tensor) || !(y instanceof tf.Tensor) || x.rank !== y.rank || (x.rank !== 2 && x.rank !== 3)) {
    throw new RangeError(`points.x and .y must both be [points, features] (one task) or [tasks, points, features], got [${x?.shape}] and [${y?.shape}]`);
  }
  const inputs = model.sizes[0];
  const outputs = model.sizes[model.sizes.length - 1];
  if (x.shape[x.rank - 1] !== inputs) throw new RangeError(`points.x must have ${inputs} input feature(s) for this model, got ${x.shape[x.rank - 1]}`);
  if (y.shape[y.rank - 1] !== outputs) throw new RangeError(`points.y must have ${outputs} output(s) for this model, got ${y.shape[y.rank - 1]}`);
  if (x.shape.slice(0, -1).some((d, i) => d !== y.shape[i])) throw new RangeError(`points.x [${x.shape}] and .y [${y.shape}] must hold the same tasks and points`);
}
