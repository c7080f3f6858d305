import * as tf from '@tensorflow/tfjs';
import { mamlLoss } from '../inner';
import { tidyTensors } from '../tidy';
import { finiteMetaLoss, type MetaGradientMethod } from './types';

/**
 * Exact MAML: the gradient of the mean over tasks of `mamlLoss`, differentiating through all k inner steps
 * (so through every inner gradient: the Hessian-vector products of ∏(I − αHᵢ₋₁)).
 *
 * @example
 * import { maml, linearTasks, mlp, regressionLoss } from 'maml-lab/meta';
 * const model = mlp([1, 1]);
 * const { grads } = maml(regressionLoss(model), model.init(0), linearTasks({ tasks: 4, shots: 5, seed: 0 }), { alpha: 0.1, steps: 2 });
 */
export const maml: MetaGradientMethod = (loss, params, tasks, { alpha, steps }) =>
  tidyTensors(() => {
    const objective = (...theta: tf.Tensor[]) => tf.mean(mamlLoss(loss, theta, tasks, { alpha, steps })) as tf.Scalar;
    const { value, grads } = tf.valueAndGrads(objective)(params);
    return { loss: finiteMetaLoss(value, alpha), grads };
  });
