import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const root = path.join(__dirname, '..');
const CHROMIUM = '/usr/bin/chromium';
// CI installs Debian's chromium (.ci/run), so there a missing browser is a failure; elsewhere it is a skip
// with the reason shown, since a browser is a system package that npm cannot install.
const missing = !existsSync(CHROMIUM) && !process.env.CI ? `Debian's chromium is not installed (apt-get install chromium)` : false;

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

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    const external: string[] = [];
    // Offline means offline: every request that is not the file itself is recorded and refused.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file://')) return route.continue();
      external.push(url);
      return route.abort();
    });
    await page.goto(`file://${html}`);
    await page.waitForSelector('.js-plotly-plot .main-svg', { timeout: 30_000 });
    const plots = await page.$$eval('.js-plotly-plot', (nodes) =>
      nodes.map((n) => ({ title: n.querySelector('.gtitle')?.textContent ?? '', traces: n.querySelectorAll('.scatterlayer .trace, .heatmaplayer .hm').length })),
    );
    assert.deepEqual(plots, [{ title: 'fixture line', traces: 2 }, { title: 'fixture heatmap', traces: 1 }]);
    assert.ok(external.every((u) => !/plotly/i.test(u)), `plotly fetched from elsewhere: ${external.join(', ')}`);
  } finally {
    await browser.close();
  }
});
