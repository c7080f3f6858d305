import * as tf from '@tensorflow/tfjs';

/**
 * Mean squared error, the one loss of maml-lab: the mean of squared errors over points and outputs, with
 * no ½. Over all axes it is a scalar; with `axes` (e.g. [1, 2] for [tasks, points, outputs]) it is the
 * mean over those axes only, one value per task.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { mse } from 'maml-lab/meta';
 * mse(tf.tensor2d([[1], [3]]), tf.tensor2d([[0], [0]])).dataSync()[0]; // 5
 */
export function mse(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar;
export function mse(prediction: tf.Tensor, target: tf.Tensor, axes: number[]): tf.Tensor;
export function mse(prediction: tf.Tensor, target: tf.Tensor, axes?: number[]): tf.Tensor {
  if (prediction.shape.length !== target.shape.length || prediction.shape.some((d, i) => d !== target.shape[i])) {
    throw new RangeError(`prediction and target must have the same shape, got [${prediction.shape.join(', ')}] and [${target.shape.join(', ')}]`);
  }
  return tf.tidy(() => tf.mean(tf.squaredDifference(prediction, target), axes));
}
