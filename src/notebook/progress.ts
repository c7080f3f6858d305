import type { Progress } from '../meta/train';
import { insideNotebook, publish } from './show';

let displays = 0;

/**
 * One line of text for a progress report: a bar, iteration, meta-loss, iterations/s and ETA.
 *
 * @example
 * import { progressLine } from 'maml-lab/notebook';
 * progressLine('MAML', { iteration: 50, iterations: 100, metaLoss: 1.2, iterationsPerSecond: 25, etaSeconds: 2 });
 * // "MAML ████████████░░░░░░░░░░░░ 50/100 · meta-loss 1.2000 · 25 it/s · ETA 2 s"
 */
export function progressLine(label: string, p: Progress): string {
  const width = 24;
  const done = Math.round((width * p.iteration) / p.iterations);
  const eta = Number.isFinite(p.etaSeconds) ? `${Math.round(p.etaSeconds)} s` : '…';
  return `${label} ${'█'.repeat(done)}${'░'.repeat(width - done)} ${p.iteration}/${p.iterations} · meta-loss ${p.metaLoss.toFixed(4)} · ${p.iterationsPerSecond.toFixed(0)} it/s · ETA ${eta}`;
}

/**
 * A progress reporter for `train`'s `onProgress`: in a notebook, one output line that updates in place
 * (iteration, meta-loss, iterations/s, ETA); in a terminal, one line on stderr rewritten with \r.
 *
 * @example
 * import { mlp, sinusoidTasks, train } from 'maml-lab/meta';
 * import { liveProgress } from 'maml-lab/notebook';
 * import * as tf from '@tensorflow/tfjs';
 * const model = mlp([1, 40, 40, 1]);
 * const params = model.init(0);
 * const { params: trained } = await train({ model, params, objective: 'maml', iterations: 20, alpha: 0.01, steps: 1,
 *   sample: (i) => sinusoidTasks({ tasks: 25, shots: 10, seed: i }), onProgress: liveProgress('MAML'), progressEvery: 10 });
 * tf.dispose([...params, ...trained]);
 */
export function liveProgress(label: string): (p: Progress) => void {
  const id = `maml-lab-progress-${process.pid}-${++displays}`;
  let shown = false;
  return (p) => {
    const text = progressLine(label, p);
    if (insideNotebook()) {
      publish({ 'text/plain': text }, { id, update: shown });
      shown = true;
    } else {
      process.stderr.write(`\r${text}${p.iteration === p.iterations ? '\n' : ''}`);
    }
  };
}
