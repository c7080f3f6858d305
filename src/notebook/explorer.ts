import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkCurvatureSettings, checkExplorer, checkFourMethodsSettings, type CurvatureSettings, type FourMethodsSettings, type LiveExplorer } from '../web/settings';
import { checkHessianSettings, type HessianSettings } from '../web/hessian';
import { checkSinusoidExplorerSettings, type SinusoidExplorerSettings } from '../web/sinusoidSettings';
import { escapeHtml } from './html';
import { plotlyLibraryOnce } from './plotly';

/*
 * A live explorer as a notebook output: HTML that mounts the browser bundle's explorer (src/web) on a
 * <div> holding the settings. The session's first explorer carries the bundle (as its first figure
 * carries plotly.js), so the explorer runs in JupyterLab with nothing else installed; the book replaces
 * that copy by one shared file beside its pages (scripts/book.ts). The page computes with the same
 * package functions the notebook calls: one implementation, bundled.
 */

let bundleInlined = false;
let explorers = 0;

/** Where the browser bundle is: dist/web beside dist/notebook in the package, or dist/web when this file runs from src/. */
function bundlePath(): string {
  const candidates = [path.join(__dirname, '..', 'web', 'maml-lab-web.js'), path.resolve(__dirname, '..', '..', 'dist', 'web', 'maml-lab-web.js')];
  const found = candidates.find((file) => existsSync(file));
  if (found !== undefined) return found;
  throw new Error(`maml-lab: the browser bundle maml-lab-web.js is missing (looked in ${candidates.join(' and ')}); run \`npm run build\``);
}

/**
 * The browser bundle's source (dist/web/maml-lab-web.js), read from disk.
 *
 * @example
 * import { webBundleSource } from './explorer';
 * webBundleSource().includes('MamlLabWeb'); // true
 */
export function webBundleSource(): string {
  return readFileSync(bundlePath(), 'utf8');
}

/**
 * Is `x` an explorer description (what `curvatureExplorer` returns)?
 *
 * @example
 * import { curvatureExplorer, isLiveExplorer } from 'maml-lab/notebook';
 * isLiveExplorer(curvatureExplorer({ g: [0.1, -0.1], curvature: [0.5, -0.1, 0], theta: [0.3, 0.1] })); // true
 * isLiveExplorer({ data: [], layout: {} }); // false
 */
export function isLiveExplorer(x: unknown): x is LiveExplorer {
  return typeof x === 'object' && x !== null && typeof (x as LiveExplorer).explorer === 'string' && 'settings' in x;
}

/**
 * The live curvature explorer of f(θ) = ½(θ − ½)ᵀC(θ − ½) + gᵀθ, for `show`: sliders for a, b and c of C,
 * a θ the reader drags, a "C = 0" button, and the exact gradient against the first-order g recomputed in
 * the page on every move, with a float64 check. Throws naming a bad setting.
 *
 * @example
 * import { curvatureExplorer } from 'maml-lab/notebook';
 * curvatureExplorer({ g: [0.1, -0.1], curvature: [0.5, -0.1, 0], theta: [0.3, 0.1] }).settings.limit; // 0.5
 */
export function curvatureExplorer(settings: CurvatureSettings): LiveExplorer<'curvature'> {
  return { explorer: 'curvature', settings: checkCurvatureSettings(settings) };
}

/**
 * The live Hessian explorer of notebook 05, for `show`: an activation, the hidden layers' widths and the
 * number of points; the MSE Hessian, its Gauss–Newton and residual parts and the spectrum recomputed in the
 * page on every change (`hessianExplorerReading`), with a float64 check. Throws naming a bad setting.
 *
 * @example
 * import { hessianExplorer } from 'maml-lab/notebook';
 * hessianExplorer({ activation: 'relu', widths: [10, 10], points: 10 }).settings.maxWidth; // 40
 */
export function hessianExplorer(settings: HessianSettings): LiveExplorer<'hessian'> {
  return { explorer: 'hessian', settings: checkHessianSettings(settings) };
}

/**
 * The live four-methods explorer of notebook 09, for `show`: the quadratic tasks given (float64, from
 * quadraticTasksFromBatch), sliders for the inner rate α, inner steps k, iMAML's λ, Reptile's ε and the outer
 * rate β, a θ the reader drags, the four meta-gradients at θ as arrows and each method's meta-training path
 * to its exact end point, recomputed in the page from the closed forms on every move, with a float64 check.
 * Throws naming a bad setting.
 *
 * @example
 * import { fourMethodsExplorer } from 'maml-lab/notebook';
 * const tasks = [{ C: [[0.3, 0.1], [0.1, 0.2]], support: [0.1, -0.2], query: [0.2, -0.1] }];
 * fourMethodsExplorer({ tasks, alpha: 0.1, steps: 5, lambda: 2, reptileRate: 2, outerRate: 1, theta: [1.5, -0.3], view: { x: [-1, 1.8], y: [-0.6, 1.2] } }).settings.outerSteps; // 300
 */
export function fourMethodsExplorer(settings: FourMethodsSettings): LiveExplorer<'four-methods'> {
  return { explorer: 'four-methods', settings: checkFourMethodsSettings(settings) };
}

/**
 * The live sinusoid explorer of notebook 08, for `show`: the reader sets a sine's amplitude and phase,
 * clicks up to ten support points, and watches each model (flat parameters in `models`) adapt by SGD step
 * by step, on the wasm kernel in a Worker in the page, with a float64 check. Throws naming a bad setting.
 *
 * @example
 * import { sinusoidExplorer } from 'maml-lab/notebook';
 * const e = sinusoidExplorer({ sizes: [1, 1], activation: 'relu', alpha: 0.01, steps: 10, models: [{ name: 'linear', theta: [1, 0] }],
 *   amplitudeRange: [0.1, 5], phaseRange: [0, Math.PI], amplitude: 2, phase: 1, points: [-1, 2] });
 * e.explorer; // "sinusoid"
 */
export function sinusoidExplorer(settings: SinusoidExplorerSettings): LiveExplorer<'sinusoid'> {
  return { explorer: 'sinusoid', settings: checkSinusoidExplorerSettings(settings) };
}

/**
 * An explorer as HTML: plotly.js and the bundle the first time in a session, then the explorer's <div>
 * (settings inside as JSON) and the script that mounts it.
 *
 * @example
 * import { curvatureExplorer } from 'maml-lab/notebook';
 * import { explorerHtml } from './explorer';
 * const html = explorerHtml(curvatureExplorer({ g: [0.1, -0.1], curvature: [0, 0, 0], theta: [0.5, 0.5] }));
 * html.includes('data-explorer="curvature"'); // true
 */
export function explorerHtml(explorer: LiveExplorer): string {
  const checked = checkExplorer(explorer);
  const id = `maml-lab-explorer-${process.pid}-${++explorers}`;
  let bundle = '';
  if (!bundleInlined) {
    bundle = `<script>${webBundleSource()}</script>`;
    bundleInlined = true;
  }
  const settings = JSON.stringify(checked.settings).replace(/</g, '\\u003c');
  const missing = 'The live explorer needs the maml-lab browser bundle, which comes with the first explorer of a session: run the notebook from the top (or read it in the book, `npm run book`).';
  return `${plotlyLibraryOnce()}${bundle}<div class="maml-lab-explorer" id="${id}" data-explorer="${escapeHtml(checked.explorer)}"><script type="application/json">${settings}</script></div><script>(function(){var el=document.getElementById("${id}");if(!window.MamlLabWeb){el.textContent=${JSON.stringify(missing)};return;}window.MamlLabWeb.mount(el);})();</script>`;
}
