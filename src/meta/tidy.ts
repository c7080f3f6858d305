import * as tf from '@tensorflow/tfjs';

/**
 * Like `tf.tidy`, for functions that return plain values (numbers, typed arrays read with `dataSync`):
 * every tensor made inside is disposed, even when `fn` throws.
 *
 * @example
 * const values = tidyValue(() => Float64Array.from(tf.square(tf.tensor1d([1, 2])).dataSync())); // [1, 4]
 */
export function tidyValue<T>(fn: () => T): T {
  let result!: T;
  tf.tidy(() => {
    result = fn();
  });
  return result;
}
