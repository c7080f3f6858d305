import { readFileSync } from 'node:fs';
import type { Figure } from '../plots/figure';

let libraryInlined = false;

/**
 * plotly.js as installed with the package (plotly.js-dist-min), read from disk: every page maml-lab
 * writes carries its own copy, so that figures draw with no network.
 */
export function plotlyLibrarySource(): string {
  return readFileSync(require.resolve('plotly.js-dist-min'), 'utf8');
}
let counter = 0;

/**
 * plotly.js as a <script> the first time a session asks (its first figure or explorer), '' afterwards:
 * the later outputs reuse the copy the first one put on the page.
 */
export function plotlyLibraryOnce(): string {
  if (libraryInlined) return '';
  libraryInlined = true;
  return `<script>${plotlyLibrarySource()}</script>`;
}

/**
 * A figure as self-contained HTML for front ends without Plotly's renderer (nbconvert's HTML export),
 * frames included (the states its sliders switch between, see `withSliders`):
 * the first figure of a session inlines plotly.js from the local package, the later ones reuse it, and
 * nothing is fetched from a CDN. An export therefore needs the session's first figure in it; when it is
 * missing (its cell cleared or re-run after later ones), each later figure says so in place of a blank. plotly.js-dist-min rather than plotly.js-dist: the same library at 4.9
 * instead of 11 MB, and it is copied into the first figure's output.
 *
 * @example
 * import { render } from 'maml-lab/notebook';
 * import { lineChart } from 'maml-lab/plots';
 * const chart = lineChart({ title: 'loss', x: { title: 'step' }, y: { title: 'MSE' }, series: [{ name: 'MAML', x: [0, 1], y: [2, 1] }] });
 * // figureHtml is internal: `render` (and so `show`) puts its HTML in every figure's bundle
 * const html = render(chart)['text/html'] ?? '';
 * html.includes('window.Plotly.newPlot'); // true
 */
export function figureHtml(figure: Figure): string {
  const id = `maml-lab-plot-${process.pid}-${++counter}`;
  const library = plotlyLibraryOnce();
  const spec = JSON.stringify(figure).replace(/</g, '\\u003c');
  const missing = 'plotly.js is not on this page: it comes with the first figure of a session; run the notebook from the top.';
  return `${library}<div id="${id}" style="width:100%;height:${(figure.layout.height as number | undefined) ?? 380}px"></div><script>(function(){var f=${spec};var el=document.getElementById("${id}");if(!window.Plotly){el.textContent=${JSON.stringify(missing)};return;}window.Plotly.newPlot(el,{data:f.data,layout:f.layout,frames:f.frames||[],config:{responsive:true}});})();</script>`;
}
