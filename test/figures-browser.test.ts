/**
 * Figures in a real browser, offline: Debian's chromium with every network request refused. A notebook's
 * figures survive nbconvert's HTML export, and saveFigure's standalone pages draw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { saveFigure } from '../src/notebook';
import { hessianSplitHeatmaps, mlpParameterLayout, spectrumFigure, topEigenvalueChart } from '../src/plots';
import { chromiumMissing, launchChromium, offlinePage } from '../scripts/browser';

const root = path.join(__dirname, '..');
const missing = chromiumMissing();

test('figures render offline in a real browser from nbconvert\'s HTML export', { skip: missing, timeout: 300_000 }, async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'maml-lab-html-'));
  const fixture = path.join(root, 'test', 'fixtures', 'figure.ipynb');
  const convert = spawnSync(path.join(root, '.venv', 'bin', 'jupyter'), ['nbconvert', '--to', 'html', '--execute', '--ExecutePreprocessor.kernel_name=tslab', '--output-dir', out, fixture], {
    encoding: 'utf8',
    cwd: path.join(root, 'test', 'fixtures'),
    env: { ...process.env, JUPYTER_PATH: path.join(root, '.venv', 'share', 'jupyter') },
  });
  assert.equal(convert.status, 0, convert.stderr);
  const html = path.join(out, 'figure.html');
  assert.doesNotMatch(readFileSync(html, 'utf8'), /<script[^>]+src="https?:\/\/[^"]*plotly/i, 'plotly.js is not loaded from a CDN');

  const browser = await launchChromium();
  try {
    const { page, refused } = await offlinePage(browser);
    await page.goto(`file://${html}`);
    await page.waitForSelector('.js-plotly-plot .main-svg', { timeout: 30_000 });
    const plots = await page.$$eval('.js-plotly-plot', (nodes) =>
      nodes.map((n) => ({ title: n.querySelector('.gtitle')?.textContent ?? '', traces: n.querySelectorAll('.scatterlayer .trace, .heatmaplayer .hm').length })),
    );
    assert.deepEqual(plots, [{ title: 'fixture line', traces: 2 }, { title: 'fixture heatmap', traces: 1 }]);
    assert.ok(refused.every((u) => !/plotly/i.test(u)), `plotly fetched from elsewhere: ${refused.join(', ')}`);
  } finally {
    await browser.close();
  }
});

test('saveFigure writes a standalone page that draws offline, with no request at all', { skip: missing, timeout: 120_000 }, async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'maml-lab-figure-'));
  const parameters = mlpParameterLayout([1, 4, 1]); // 13 parameters
  const matrix = (scale: number) => parameters.names.map((_, i) => parameters.names.map((__, j) => scale * Math.cos(i * j + i + j) * 10 ** -((i + j) % 4)));
  const figures = {
    split: hessianSplitHeatmaps({ hessian: matrix(3), gaussNewton: matrix(2), residual: matrix(1), parameters, symlog: 1e-3 }),
    spectrum: spectrumFigure({ eigenvalues: [...Array.from({ length: 300 }, (_, i) => 0.05 * Math.sin(i * 7.3)), 2.5, 6] }),
    sharpness: topEigenvalueChart({ alpha: 0.1, runs: [{ name: 'MAML', iterations: [0, 100, 200, 300], topEigenvalue: [2, 9, 17, 19.5] }] }),
  };
  const browser = await launchChromium();
  try {
    for (const [name, figure] of Object.entries(figures)) {
      const file = path.join(out, `${name}.html`);
      assert.equal(await saveFigure(figure, file), file);
      assert.ok(statSync(file).size > 4_000_000, 'plotly.js is inlined');
      const { page, refused, errors } = await offlinePage(browser);
      await page.goto(`file://${file}`);
      await page.waitForSelector('.js-plotly-plot .main-svg', { timeout: 30_000 });
      const title = await page.$eval('.gtitle', (n) => n.textContent);
      assert.equal(title, (figure.layout.title as { text: string }).text);
      assert.deepEqual(refused, [], 'no network request');
      assert.deepEqual(errors, []);
      if (name === 'split') {
        // Three heatmap panels and one colour bar: the shared scale.
        assert.equal(await page.$$eval('.heatmaplayer .hm', (n) => n.length), 3);
        assert.equal(await page.$$eval('.colorbar', (n) => n.length), 1);
      }
      await page.screenshot({ path: path.join(out, `${name}.png`) });
      await page.close();
    }
  } finally {
    await browser.close();
  }
  await assert.rejects(saveFigure(figures.split, path.join(out, 'figure.png')), /the path must end in \.html/);
  await assert.rejects(saveFigure(figures.split, path.join(out, 'no-such-folder', 'f.html')), /could not write .*no-such-folder/);
  console.log(`screenshots in ${out}`);
});
