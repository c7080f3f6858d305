import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isFigure, type Figure } from '../plots/figure';
import { escapeHtml } from './html';
import { plotlyLibrarySource } from './plotly';


/**
 * The text of a standalone HTML page that draws `figure`: plotly.js inlined (about 4.9 MB), no request to
 * any server, so the file opens offline, is mailed as one attachment and still draws in years.
 */
function standaloneFigureHtml(figure: Figure): string {
  const title = (figure.layout.title as { text?: string } | undefined)?.text ?? 'figure';
  // "</script>" inside a string of the spec would end the script early; \u003c reads back as "<".
  const spec = JSON.stringify(figure).replace(/</g, '\\u003c');
  const height = (figure.layout.height as number | undefined) ?? 450;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    `<script>${plotlyLibrarySource()}</script>`,
    '</head>',
    '<body style="margin:0;font-family:sans-serif">',
    `<div id="figure" style="width:100%;height:${height}px"></div>`,
    `<script>(function(){var f=${spec};window.Plotly.newPlot(document.getElementById("figure"),{data:f.data,layout:f.layout,frames:f.frames||[],config:{responsive:true}});})();</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * Writes a figure as a standalone HTML file that draws it offline (plotly.js inlined from the installed
 * plotly.js-dist-min, the figure's frames included, so its sliders work) and resolves with the file's absolute path. It writes a file, so it lives here and not
 * in the pure `plots`. The path must end in .html or .htm; its folder must exist.
 *
 * @example
 * import { mkdtempSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import path from 'node:path';
 * import { saveFigure } from 'maml-lab/notebook';
 * import { heatmap } from 'maml-lab/plots';
 * const file = path.join(mkdtempSync(path.join(tmpdir(), 'figure-')), 'hessian.html');
 * const written = await saveFigure(heatmap({ title: 'H', z: [[2, -1], [-1, 2]] }), file);
 * written === file; // true
 */
export async function saveFigure(figure: Figure, file: string): Promise<string> {
  if (!isFigure(figure)) throw new TypeError('saveFigure: figure must be a Plotly figure spec {data: [...], layout: {...}}, as the functions of maml-lab/plots return');
  if (typeof file !== 'string' || !/\.html?$/i.test(file)) throw new RangeError(`saveFigure: the path must end in .html (the file is a web page), got ${JSON.stringify(file)}`);
  const target = path.resolve(file);
  try {
    await writeFile(target, standaloneFigureHtml(figure), 'utf8');
  } catch (error) {
    throw new Error(`saveFigure: could not write ${target}: ${(error as Error).message}`);
  }
  return target;
}
