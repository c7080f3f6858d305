/**
 * The book's explorer check (scripts/book-explorers.ts) is shown to reject wrong pages: a page whose
 * bundle computes the gradient with the wrong sign shows numbers Node does not compute, and a page whose
 * check cannot pass shows ✗; both are reported, while the honest page passes. Each page is the explorer's
 * notebook output (src/notebook/explorer.ts) with plotly.js and the bundle inlined, opened offline in
 * Debian's chromium.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { checkExplorers } from '../scripts/book-explorers';
import { chromiumMissing, launchChromium, offlinePage } from '../scripts/browser';
import { curvatureExplorer } from '../src/notebook';
import { explorerHtml, webBundleSource } from '../src/notebook/explorer';
import { plotlyLibrarySource } from '../src/notebook/plotly';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-explorer-check-'));

/** A page holding the curvature explorer, with the bundle changed by `tamper`. */
function page(name: string, tamper: (bundle: string) => string): string {
  const plotly = plotlyLibrarySource();
  const bundle = webBundleSource();
  // The output inlines each library the first time in a process: take them out, and load them in the head.
  const body = explorerHtml(curvatureExplorer({ g: [0.1, -0.1], curvature: [0.5, -0.1, 0], theta: [0.3, 0.1] }))
    .replace(`<script>${plotly}</script>`, '')
    .replace(`<script>${bundle}</script>`, '');
  const file = path.join(dir, `${name}.html`);
  fs.writeFileSync(file, `<!doctype html><html><head><meta charset="utf-8"><script>${plotly}</script><script>${tamper(bundle)}</script></head><body>${body}</body></html>`);
  return file;
}

/** Replaces the one occurrence of `find` in the minified bundle (fails, saying so, if the minifier changed it). */
function once(find: string, replace: string): (bundle: string) => string {
  return (bundle) => {
    assert.equal(bundle.split(find).length - 1, 1, `"${find}" must occur once in dist/web/maml-lab-web.js; update this test to the new minified text`);
    return bundle.replace(find, replace);
  };
}

describe('the explorer check', { skip: chromiumMissing(), timeout: 300_000 }, () => {
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const run = async (file: string) => {
    const { page: p, errors } = await offlinePage(browser!);
    await p.goto(`file://${file}`);
    const reports = await checkExplorers(p, dir, path.basename(file, '.html'));
    await p.close();
    return { reports, errors };
  };

  test('passes the honest page, with every state compared and every redraw timed', async () => {
    const { reports, errors } = await run(page('honest', (b) => b));
    assert.equal(reports.length, 1);
    assert.deepEqual(reports[0].problems, []);
    assert.deepEqual(errors, []);
    assert.ok(reports[0].states >= 9, `${reports[0].states} states`);
    assert.ok(reports[0].redrawMs.length >= reports[0].states && reports[0].redrawMs.every((ms) => ms > 0));
    assert.equal(reports[0].screenshots.length, 2);
  });

  test('rejects a page that computes the gradient with the wrong sign: its numbers are not Node\'s', async () => {
    const { reports } = await run(page('wrong-sign', once('Float64Array.from(Cd,(v,i)=>v+gv[i])', 'Float64Array.from(Cd,(v,i)=>v-gv[i])')));
    assert.ok(reports[0].problems.some((p) => /the page shows angleDegrees = .*, Node computes/.test(p)), reports[0].problems.join('\n'));
  });

  test('rejects a page whose float64 check fails: its ✓ line shows ✗', async () => {
    const { reports } = await run(page('failing-check', once('CURVATURE_CHECK_TOLERANCE=1e-7', 'CURVATURE_CHECK_TOLERANCE=1e-30')));
    assert.ok(reports[0].problems.some((p) => /the ✓ line is not a pass: "✗ float64/.test(p)), reports[0].problems.join('\n'));
  });
});
