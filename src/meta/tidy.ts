import * as tf from '@tensorflow/tfjs';

/**
 * Like `tf.tidy`, for functions that return plain values (numbers, typed arrays read with `dataSync`):
 * every tensor made inside is disposed, even when `fn` throws.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { tidyValue } from 'maml-lab/meta';
 * const before = tf.memory().numTensors;
 * tidyValue(() => Float64Array.from(tf.square(tf.tensor1d([1, 2])).dataSync())); // [1, 4]
 * tf.memory().numTensors === before; // true
 */
export function tidyValue<T>(fn: () => T): T {
  let result!: T;
  tf.tidy(() => {
    result = fn();
  });
  return result;
}

/**
 * `tf.tidy` for functions that return tensors inside plain objects (a meta-batch, a state record):
 * tensors reachable from the result are kept, all others made inside are disposed.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import { tidyTensors } from 'maml-lab/meta';
 * const before = tf.memory().numTensors;
 * const batch = tidyTensors(() => ({ x: tf.add(tf.ones([2, 1]), 1), count: 2 }));
 * batch.x.arraySync(); // [[2], [2]]
 * tf.memory().numTensors - before; // 1
 */
export function tidyTensors<T>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}
