import * as tf from '@tensorflow/tfjs';
import { Model } from './model';

/**
 * Concatenates a parameter list into one vector θ (row-major within each tensor, tensors in order), the
 * form the derivations use: Jacobians and Hessians are then plain n×n matrices.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { flattenParams } from 'maml-lab/meta';
 * flattenParams([tf.tensor2d([[1], [2]]), tf.tensor1d([3])]).dataSync(); // [1, 2, 3]
 */
export function flattenParams(params: readonly tf.Tensor[]): tf.Tensor1D {
  return tf.tidy(() => tf.concat(params.map((p) => tf.reshape(p, [-1]))) as tf.Tensor1D);
}

/**
 * Splits a vector θ back into the model's parameter list; differentiable, so a function of θ can be
 * written in terms of `model.apply`.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { mlp, unflattenParams } from 'maml-lab/meta';
 * const [W, b] = unflattenParams(mlp([2, 1]), tf.tensor1d([1, 2, 3]));
 * W.arraySync(); // [[1], [2]]
 * b.arraySync(); // [3]
 */
export function unflattenParams(model: Model, theta: tf.Tensor): tf.Tensor[] {
  if (theta.rank !== 1 || theta.shape[0] !== model.parameterCount) {
    throw new RangeError(`theta must be a vector of ${model.parameterCount} parameters, got shape [${theta.shape.join(', ')}]`);
  }
  return tf.tidy(() => {
    const sizes = model.shapes.map((s) => s.reduce((a, b) => a * b, 1));
    return tf.split(theta, sizes).map((piece, i) => tf.reshape(piece, model.shapes[i] as number[]));
  });
}
