import * as tf from '@tensorflow/tfjs';
import { perTask } from '../batchedLoss';
import { implicitSolve } from '../implicitSolve';
import { innerLoop } from '../inner';
import { tidyTensors } from '../tidy';
import { checkMethodOptions, finiteMetaLoss, type MetaGradientMethod } from './types';

/**
 * iMAML: the mean over tasks of (I + H/λ)⁻¹∇L_query(θₖ), θₖ being k steps of size α on
 * L_support(θ') + (λ/2)‖θ' − θ‖² from θ, and H the support loss's Hessian at θₖ; the linear systems are
 * solved by conjugate gradient on Hessian-vector products (`implicitSolve`).
 *
 * @example
 * import { imaml, linearTasks, mlp, regressionLoss } from 'maml-lab/meta';
 * const model = mlp([1, 1]);
 * const { grads, cg } = imaml(regressionLoss(model), model.init(0), linearTasks({ tasks: 4, shots: 5, seed: 0 }), { alpha: 0.1, steps: 5, lambda: 2 });
 */
export const imaml: MetaGradientMethod = (loss, params, tasks, options) => {
  checkMethodOptions('imaml', options);
  const { alpha, steps, lambda = 1, cg } = options;
  return tidyTensors(() => {
    const theta = perTask(params, tasks.count);
    const phi = innerLoop(loss, theta, tasks.support, { alpha, steps, proximal: { lambda, anchor: theta } });
    // Per-task query gradients: the gradient of the mean is each task's gradient divided by T.
    const { value, grads } = tf.valueAndGrads((...p: tf.Tensor[]) => tf.mean(loss(p, tasks.query)) as tf.Scalar)(phi);
    const lossValue = finiteMetaLoss(value, alpha);
    const { solution, iterations, relativeResidual } = implicitSolve(loss, phi, tasks.support, grads, lambda, cg);
    return { loss: lossValue, grads: solution.map((x) => tf.sum(x, 0)), cg: { iterations, relativeResidual } };
  });
};
