let pending: AbortController | undefined;

function onInterrupt(): void {
  const controller = pending;
  pending = undefined;
  process.off('SIGINT', onInterrupt);
  controller?.abort(new Error('interrupted (SIGINT)'));
}

/**
 * An AbortSignal that aborts at the next interrupt of the notebook's kernel (■, or i i: Jupyter delivers it
 * to the tslab kernel process as SIGINT). Pass it to `train` or `reproduceSinusoid`: tslab fails the
 * interrupted cell at once, and the signal lets the run behind it stop too, keeping what it has.
 *
 * Calls between two interrupts share one signal and one SIGINT listener, so a notebook that asks for it in
 * every cell never piles up listeners; the listener is removed when it fires, and the next call starts a
 * fresh signal. The listener is added on the next turn of the event loop (`setImmediate`), outside the
 * synchronous part of the cell, where tslab's handling of SIGINT would leave it dead and an interrupt
 * would kill the kernel. It is made for the kernel, which handles SIGINT itself; a script that wants
 * Ctrl-C to quit once its work is done should wire its own AbortController and remove the listener
 * afterwards.
 *
 * @example
 * import { mlp, sinusoidTasks, train } from 'maml-lab/meta';
 * import { interruptSignal } from 'maml-lab/notebook';
 * import * as tf from '@tensorflow/tfjs';
 * const model = mlp([1, 40, 40, 1]);
 * const params = model.init(0);
 * const run = train({ model, params, objective: 'maml', iterations: 20, alpha: 0.01, steps: 1,
 *   sample: (i) => sinusoidTasks({ tasks: 25, shots: 10, seed: i }), signal: interruptSignal() });
 * // After ■ in this cell, `await run` in the next one gives what was trained so far.
 * const { params: trained, interrupted } = await run;
 * tf.dispose([...params, ...trained]);
 */
export function interruptSignal(): AbortSignal {
  if (pending === undefined) {
    const controller = new AbortController();
    pending = controller;
    // Not now: tslab runs the synchronous part of a cell under vm's breakOnSigint, which takes the SIGINT
    // listeners off for that time and, as it ends, gives SIGINT back its default action (exit). A
    // listener added inside that window is then never called, and the next interrupt kills the kernel.
    // A macrotask later, the cell's synchronous part has returned and the listener works.
    setImmediate(() => {
      if (pending === controller) process.on('SIGINT', onInterrupt);
    });
  }
  return pending.signal;
}
