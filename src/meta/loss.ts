import * as tf from '@tensorflow/tfjs';

/**
 * Mean squared error: the mean of squared errors over points and outputs, with no ½ (the convention of
 * every loss in maml-lab).
 *
 * @example
 * mse(tf.tensor2d([[1], [3]]), tf.tensor2d([[0], [0]])); // 5
 */
export function mse(prediction: tf.Tensor, target: tf.Tensor): tf.Scalar {
  if (prediction.shape.length !== target.shape.length || prediction.shape.some((d, i) => d !== target.shape[i])) {
    throw new RangeError(`prediction and target must have the same shape, got [${prediction.shape.join(', ')}] and [${target.shape.join(', ')}]`);
  }
  return tf.tidy(() => tf.mean(tf.squaredDifference(prediction, target)) as tf.Scalar);
}
