import * as tf from '@tensorflow/tfjs';

type Unary = (x: tf.Tensor) => tf.Tensor;

/**
 * tanh whose derivatives of every order are right.
 *
 * Why not `tf.tanh`: tfjs 4.22 saves an op's *output* for its gradient as a clone recorded on the tape
 * before the op itself, so backprop never connects the clone to the input. The first derivative
 * dy·(1 − y²) is right, but differentiating it again treats y as a constant: tf.tanh (and tf.exp,
 * tf.sigmoid) lose their second-order terms, and MAML through a tanh network silently stops being
 * second order. Here the gradient is written in terms of the saved *input*, recomputed through this same
 * function, so each further derivative is recorded too (test/meta.test.ts checks orders 1–3).
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { tanh } from 'maml-lab/meta';
 * // the second derivative −2·tanh(x)·(1 − tanh²(x)) at x = 0.3 (tf.grad(tf.grad(tf.tanh)) cannot compute it)
 * tf.grad(tf.grad(tanh))(tf.scalar(0.3)).dataSync()[0]; // ≈ -0.5332
 */
export const tanh: Unary = tf.customGrad(((x: tf.Tensor, save: (tensors: tf.Tensor[]) => void) => {
  save([x]);
  return {
    value: tf.tanh(x),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.sub(1, tf.square(tanh(saved[0])))),
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as Unary;
