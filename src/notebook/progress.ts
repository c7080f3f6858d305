import { progressLine, type Progress } from '../meta/train';
import { insideNotebook, publish } from './show';

let displays = 0;

/**
 * A progress reporter for `train`'s `onProgress`: in a notebook, one output line that updates in place
 * (iteration, meta-loss, iterations/s, ETA); in a terminal, one line on stderr rewritten with \r.
 *
 * @example
 * await train({ ...settings, onProgress: liveProgress('MAML') });
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
