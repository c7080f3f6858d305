import * as tf from '@tensorflow/tfjs';
import { perTask } from '../batchedLoss';
import { innerLoop } from '../inner';
import { tidyTensors } from '../tidy';
import { checkMethodOptions, finiteMetaLoss, type MetaGradientMethod } from './types';

/**
 * Reptile's direction ε·mean over tasks of (θ − θₖ), θₖ being k SGD steps on the support set: θ − grads
 * is Reptile's update. No derivative of the inner loop is taken.
 *
 * @example
 * import { reptile, linearTasks, mlp, regressionLoss } from 'maml-lab/meta';
 * const model = mlp([1, 1]);
 * const { grads } = reptile(regressionLoss(model), model.init(0), linearTasks({ tasks: 4, shots: 5, seed: 0 }), { alpha: 0.1, steps: 3, reptileRate: 0.5 });
 */
export const reptile: MetaGradientMethod = (loss, params, tasks, options) => {
  checkMethodOptions('reptile', options);
  const { alpha, steps, reptileRate = 1 } = options;
  return tidyTensors(() => {
    const phi = innerLoop(loss, perTask(params, tasks.count), tasks.support, { alpha, steps });
    const value = tf.mean(loss(phi, tasks.query));
    return { loss: finiteMetaLoss(value, alpha), grads: params.map((p, i) => tf.mul(reptileRate, tf.sub(p, tf.mean(phi[i], 0)))) };
  });
};
