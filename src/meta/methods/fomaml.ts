import * as tf from '@tensorflow/tfjs';
import { perTask } from '../batchedLoss';
import { innerLoop } from '../inner';
import { tidyTensors } from '../tidy';
import { finiteMetaLoss, type MetaGradientMethod } from './types';

/**
 * First-order MAML: the mean over tasks of the query gradient at the adapted parameters, ∇L_query(θₖ). It
 * equals the gradient of `mamlLoss` with every inner gradient stopped (`firstOrder`), but runs the inner
 * loop without recording it, so no backward pass goes through it.
 *
 * @example
 * import { fomaml, linearTasks, mlp, regressionLoss } from 'maml-lab/meta';
 * const model = mlp([1, 1]);
 * const { grads } = fomaml(regressionLoss(model), model.init(0), linearTasks({ tasks: 4, shots: 5, seed: 0 }), { alpha: 0.1, steps: 2 });
 */
export const fomaml: MetaGradientMethod = (loss, params, tasks, { alpha, steps }) =>
  tidyTensors(() => {
    const phi = innerLoop(loss, perTask(params, tasks.count), tasks.support, { alpha, steps });
    // The gradient of the mean with respect to the per-task θₖ is each task's query gradient divided by T.
    const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => tf.mean(loss(p, tasks.query)) as tf.Scalar)(phi);
    return { loss: finiteMetaLoss(value, alpha), grads: grads.map((g) => tf.sum(g, 0)) };
  });
