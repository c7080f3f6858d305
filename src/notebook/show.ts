import { packageVersion, ready } from '../meta/engine';
import { render, type MimeBundle, type Showable } from './render';

interface DisplayData {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  transient: Record<string, unknown>;
}

/**
 * tslab's own writer of display_data messages, when running inside its kernel. tslab's public `display`
 * sends one MIME type per call; its internal writer takes a whole bundle, which lets the front end (or
 * nbconvert) pick the richest type it can render.
 */
function kernelWriter(): ((data: DisplayData, update: boolean) => void) | undefined {
  try {
    const jupyter = require('tslab/dist/jupyter') as { lastWriteDisplayData: ((d: DisplayData, u: boolean) => void) | null };
    return jupyter.lastWriteDisplayData ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * Sends a bundle to the notebook, or prints its plain text outside one. With a `displayId`, later calls
 * with `update` replace that output in place (update_display_data) instead of adding a new one.
 *
 * @example
 * import { publish } from 'maml-lab/notebook';
 * publish({ 'text/markdown': '**hello**', 'text/plain': 'hello' }); // bold in a notebook; prints hello outside one
 */
export function publish(bundle: MimeBundle, display?: { id: string; update: boolean }): void {
  const write = kernelWriter();
  if (write) {
    write({ data: bundle, metadata: {}, transient: display ? { display_id: display.id } : {} }, display?.update ?? false);
  } else {
    console.log(bundle['text/plain']);
  }
}

/**
 * Whether code runs inside the tslab kernel (where rich outputs and in-place updates are possible).
 *
 * @example
 * import { insideNotebook } from 'maml-lab/notebook';
 * if (!insideNotebook()) console.log('plain text only');
 */
export function insideNotebook(): boolean {
  return kernelWriter() !== undefined;
}

/**
 * Shows a derivation, a step, a check, a symbolic derivation, a matrix or a LaTeX string as one rich output
 * (Markdown with $$…$$, LaTeX and plain text in one bundle); outside a notebook it prints the plain text.
 * Derivations and steps are verified as they are shown. It never throws: a failure to render is shown as
 * a message instead.
 *
 * @example
 * import { show } from 'maml-lab/notebook';
 * import { makeInstance, mamlDerivation } from 'maml-lab/derivations';
 * show(mamlDerivation({ steps: 1, instances: [makeInstance({ kind: 'linear', seed: 0 })] }));
 * show('\\nabla_\\theta\\,\\theta_0 = I');
 */
export function show(x: Showable): void {
  let bundle: MimeBundle;
  try {
    bundle = render(x);
  } catch (error) {
    bundle = { 'text/plain': `show: could not render this value: ${(error as Error).message}` };
  }
  try {
    publish(bundle);
  } catch (error) {
    console.log(`${bundle['text/plain']}\n(show: rich output failed: ${(error as Error).message})`);
  }
}

/**
 * Starts the tfjs backend and shows which one runs, with the package and tfjs versions: the first cell of
 * every notebook.
 *
 * @example
 * import { banner } from 'maml-lab/notebook';
 * await banner(); // shows e.g. "maml-lab 0.1.0 · tfjs 4.22.0 · backend wasm (the default; …) · engine kernel (…)"
 */
export async function banner(): Promise<void> {
  const info = await ready();
  const line = `maml-lab ${packageVersion()} · tfjs ${info.tfjsVersion} · backend ${info.backend} (${info.reason}) · engine ${info.engine} (${info.engineReason})`;
  publish({ 'text/markdown': `_${line}_`, 'text/plain': line });
}
