/*
 * The browser bundle's entry (built by scripts/build-web.ts into dist/web/maml-lab-web.js): it finds the
 * explorers a page holds and mounts each one. A notebook's explorer output (src/notebook/explorer.ts) is a
 * <div class="maml-lab-explorer" data-explorer="KIND"> holding its settings as JSON, followed by a script
 * that calls MamlLabWeb.mount on it; the bundle itself comes with the session's first explorer, or, in the
 * book, as one shared file.
 */
import { addStyles, plotly } from './controls';
import { mountCurvatureExplorer } from './curvatureExplorer';
import { mountHessianExplorer } from './hessianExplorer';
import { mountFourMethodsExplorer } from './fourMethodsExplorer';
import { mountSinusoidExplorer } from './sinusoidExplorer';
import { checkExplorer } from './settings';
import { runInWorker } from './worker';

/**
 * Mounts the explorer described by `root` (its data-explorer kind and the JSON settings inside it); on a
 * problem, says so in the page in place of the explorer (and in the console), never a blank.
 */
export function mount(root: HTMLElement): void {
  if (root.dataset.mounted !== undefined) return;
  root.dataset.mounted = 'starting';
  try {
    if (plotly() === undefined) throw new Error('plotly.js is not on this page: it comes with the first figure of a session; run the notebook from the top');
    const json = root.querySelector('script[type="application/json"]')?.textContent ?? '';
    const explorer = checkExplorer({ explorer: root.dataset.explorer, settings: JSON.parse(json) as unknown });
    addStyles();
    if (explorer.explorer === 'curvature') mountCurvatureExplorer(root, explorer.settings);
    if (explorer.explorer === 'hessian') mountHessianExplorer(root, explorer.settings);
    if (explorer.explorer === 'four-methods') mountFourMethodsExplorer(root, explorer.settings);
    if (explorer.explorer === 'sinusoid') mountSinusoidExplorer(root, explorer.settings);
    root.dataset.mounted = 'true';
  } catch (error) {
    root.dataset.mounted = 'failed';
    const message = `This explorer could not start: ${(error as Error).message}`;
    root.append(Object.assign(document.createElement('p'), { className: 'maml-lab-explorer-error', textContent: message }));
    console.error(`maml-lab: ${message}`);
  }
}

/** Mounts every explorer under `scope` not yet mounted. */
export function mountAll(scope: ParentNode = document): void {
  scope.querySelectorAll<HTMLElement>('.maml-lab-explorer').forEach(mount);
}

(globalThis as { MamlLabWeb?: unknown }).MamlLabWeb = { mount, mountAll, runInWorker };
