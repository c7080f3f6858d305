import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';

/**
 * Runs `fn` and asserts it left tf.memory().numTensors where it found it; returns what `fn` returned.
 *
 * @example
 * const g = noLeak(() => metaGradientByAutodiff(inst, 2));
 */
export function noLeak<T>(fn: () => T, what = 'the call'): T {
  const before = tf.memory().numTensors;
  const result = fn();
  assert.equal(tf.memory().numTensors, before, `${what} leaked ${tf.memory().numTensors - before} tensor(s)`);
  return result;
}
