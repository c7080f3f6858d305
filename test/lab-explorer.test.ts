/**
 * A live explorer inside JupyterLab, as a user meets it after `npm start`: a notebook cell that shows
 * `curvatureExplorer(...)` is run in the real lab UI in Debian's chromium, its output mounts the explorer
 * from the bundle the output carries (nothing else is installed in the page), and moving a slider
 * recomputes in the page: the numbers shown are the ones Node computes with the same function.
 * Requests leave for nothing but the local server.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../scripts/browser';
import { startLab, type Lab } from '../scripts/lab';
import { curvatureReading } from '../src/web/curvature';

// page.evaluate's functions run in the browser, where these exist; declared for this module only.
declare const document: { querySelector(selector: string): any };
type HTMLElement = any;

const settings = { g: [0.1, -0.1] as [number, number], curvature: [0.5, -0.1, 0] as [number, number, number], theta: [0.3, 0.1] as [number, number] };

function notebook(): object {
  const source = `import { show, curvatureExplorer } from 'maml-lab';\nshow(curvatureExplorer(${JSON.stringify(settings)}));`;
  return {
    cells: [{ cell_type: 'code', id: 'explorer', metadata: {}, execution_count: null, outputs: [], source }],
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

describe('a live explorer in JupyterLab', { skip: chromiumMissing(), timeout: 300_000 }, () => {
  let lab: Lab | undefined;
  let browser: Browser | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-lab-explorer-'));

  before(async () => {
    fs.writeFileSync(path.join(dir, 'explorer.ipynb'), JSON.stringify(notebook()));
    // The kernel resolves 'maml-lab' as a notebook in the project does: through the project's node_modules.
    fs.symlinkSync(path.join(__dirname, '..', 'node_modules'), path.join(dir, 'node_modules'));
    lab = await startLab({ rootDir: dir, log: 'capture' });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await lab?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the cell\'s output mounts the explorer, and a slider recomputes in the page', async () => {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    const outside: string[] = [];
    const errors: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(lab!.baseUrl) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      outside.push(url);
      return route.abort();
    });
    page.on('console', (m) => {
      if (m.type() === 'error' && /maml-lab|MamlLab/i.test(m.text())) errors.push(m.text());
    });
    await page.goto(`${lab!.baseUrl}lab/tree/explorer.ipynb?token=${lab!.token}`);
    // The kernel is up when the toolbar says so; then run the one cell.
    await page.waitForSelector('.jp-Notebook .jp-Cell', { timeout: 120_000 });
    await page.waitForSelector('.jp-Notebook-ExecutionIndicator[data-status="idle"], .jp-Toolbar-kernelStatus[data-status="idle"]', { timeout: 120_000 }).catch(() => undefined);
    // Run the cell; a keypress that lands while the lab is still settling is lost, so press again until the
    // cell's prompt shows it was taken ([*] running, or [1] done).
    for (let attempt = 0; attempt < 4; attempt++) {
      await page.click('.jp-Notebook .jp-Cell .jp-InputArea-editor');
      await page.keyboard.press('Shift+Enter');
      const taken = await page
        .waitForFunction(() => /\[(\*|\d+)\]/.test((document.querySelector('.jp-Notebook .jp-Cell .jp-InputPrompt') as HTMLElement | null)?.textContent ?? ''), undefined, { timeout: 20_000 })
        .then(() => true, () => false);
      if (taken) break;
    }
    const root = '.jp-OutputArea .maml-lab-explorer';
    await page.waitForSelector(`${root}[data-mounted="true"]`, { timeout: 120_000 }).catch(async (error: Error) => {
      // Say what the notebook showed instead (an error output, nothing, a failed mount).
      const shown = await page.evaluate('document.querySelector(".jp-OutputArea") ? document.querySelector(".jp-OutputArea").innerText.slice(0, 2000) : "(no output area)"');
      await page.screenshot({ path: path.join(os.tmpdir(), 'maml-lab-lab-explorer-failure.png') });
      throw new Error(`${error.message.split('\n')[0]}; the cell's output: ${String(shown)}`);
    });
    await page.waitForFunction((sel) => Number((document.querySelector(sel) as HTMLElement | null)?.dataset.redraws ?? '0') >= 1, root, { timeout: 60_000 });
    const before = Number(await page.getAttribute(root, 'data-redraws'));
    await page.locator(`${root} input[data-control="b"]`).fill('0.3');
    await page.waitForFunction(([sel, n]) => Number((document.querySelector(sel as string) as HTMLElement).dataset.redraws) > (n as number), [root, before] as const, { timeout: 60_000 });
    const shown = await page.evaluate((sel) => {
      const el = document.querySelector(sel) as HTMLElement;
      return { state: JSON.parse(el.dataset.state ?? 'null'), angle: JSON.parse((el.querySelector('[data-quantity="angleDegrees"]') as HTMLElement).dataset.value ?? 'null'), check: (el.querySelector('[data-check]') as HTMLElement).dataset.check };
    }, root);
    assert.deepEqual(shown.state.curvature, [0.5, 0.3, 0]);
    assert.equal(shown.angle, curvatureReading(settings.g, shown.state).angleDegrees);
    assert.equal(shown.check, 'pass');
    assert.deepEqual(errors, []);
    assert.deepEqual(outside, [], 'nothing is fetched from outside the local server');
    await page.close();
  });
});
