import type * as tf from '@tensorflow/tfjs';
import type { QuadraticBatch } from '../meta/quadratic';
import type { TaskBatch } from '../meta/tasks';
import { tidyValue } from '../meta/tidy';
import type { QuadraticTask64 } from './quadratic';

// Apart from quadratic.ts so that the closed forms there import no tfjs: the book's browser bundle
// (src/web) draws them live, and tfjs would add megabytes and a backend to every page.

/**
 * The tasks of a `quadraticTasks` meta-batch in float64 (the same numbers, widened), for the closed forms.
 *
 * @example
 * import { quadraticTasksFromBatch } from 'maml-lab/derivations';
 * import { quadraticTasks } from 'maml-lab/meta';
 * const tasks = quadraticTasksFromBatch(quadraticTasks({ tasks: 3, seed: 0 }));
 * tasks.length; // 3
 * tasks[0].C[0][1] === tasks[0].C[1][0]; // true
 */
export function quadraticTasksFromBatch(batch: TaskBatch<QuadraticBatch>): QuadraticTask64[] {
  const read = (t: tf.Tensor) => tidyValue(() => t.arraySync());
  const C = read(batch.support.C) as number[][][];
  const support = read(batch.support.g) as number[][];
  const query = read(batch.query.g) as number[][];
  return C.map((c, t) => ({ C: c, support: support[t], query: query[t] }));
}

