/**
 * Opens every page of a built book in Debian's chromium with every network request refused, and says
 * what a reader would see go wrong: a figure that did not draw, an equation left as raw TeX or typeset
 * as an error, a console error, a request that left the machine or a local file that is missing. Saves
 * a screenshot of each page in <book>/screenshots/. Used by `npm run book -- --check` (and so `npm test`)
 * and by test/book.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium, offlinePage } from './browser';

/** What one page showed. */
export interface PageReport {
  file: string;
  title: string;
  /** Figures on the page (maml-lab's plot containers), and how many of them hold Plotly's SVG. */
  figures: number;
  figuresDrawn: number;
  /** Equations MathJax typeset (mjx-container elements). */
  equations: number;
  screenshot: string;
  seconds: number;
  /** Everything wrong, in words; empty when the page is fine. */
  problems: string[];
}

/** How long a page may take to load, typeset and draw. */
const PAGE_TIMEOUT_MS = 60_000;

/** A full-page screenshot of a taller page is cut here (chromium's texture limit is 16,384 px). */
const MAX_SCREENSHOT_HEIGHT = 16_000;

/**
 * TeX a reader should never see as text: display delimiters, environments, and inline $…$ holding a
 * backslash, ^ or _. Searched in text nodes outside code, scripts and MathJax's own output.
 */
const RAW_TEX = String.raw`\$\$|\\begin\{|\\\[|\$[^$\n]*[\\^_][^$\n]*\$`;

/** True in the page once every maml-lab figure holds Plotly's SVG. (Browser code, so a string here.) */
const ALL_FIGURES_DRAWN = `[...document.querySelectorAll('[id^="maml-lab-plot-"]')].every((el) => el.querySelector('.main-svg') !== null)`;

/** What PAGE_PROBE reports. */
interface PageProbe {
  title: string;
  figures: number;
  figuresDrawn: number;
  equations: number;
  mathErrors: string[];
  raw: string[];
  height: number;
}

/**
 * Runs in the page (browser JavaScript, so a string here): counts figures and typeset equations, collects
 * MathJax's error boxes and text nodes that still hold raw TeX outside code, scripts and typeset math.
 */
const PAGE_PROBE = `(rawTex) => {
  const plots = [...document.querySelectorAll('[id^="maml-lab-plot-"]')];
  const skip = 'script, style, pre, code, textarea, mjx-container, .jp-InputArea';
  const raw = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const pattern = new RegExp(rawTex);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent || '';
    if (pattern.test(text) && !(node.parentElement && node.parentElement.closest(skip))) raw.push(text.trim().slice(0, 80));
  }
  return {
    title: document.title,
    figures: plots.length,
    figuresDrawn: plots.filter((el) => el.querySelector('.main-svg') !== null).length,
    equations: document.querySelectorAll('mjx-container').length,
    mathErrors: [...document.querySelectorAll('mjx-merror')].map((el) => el.getAttribute('data-mjx-error') || el.textContent || ''),
    raw,
    height: document.documentElement.scrollHeight,
  };
}`;

async function checkPage(browser: Browser, file: string, screenshots: string): Promise<PageReport> {
  const started = Date.now();
  const { page, refused, errors } = await offlinePage(browser, { width: 1200, height: 900 });
  const problems: string[] = [];
  const screenshot = path.join(screenshots, `${path.basename(file, '.html')}.png`);
  try {
    await page.goto(`file://${file}`, { waitUntil: 'load', timeout: PAGE_TIMEOUT_MS });
    const hasMathJax = (await page.evaluate('Boolean(document.querySelector(\'script[src*="mathjax"]\'))')) as boolean;
    if (hasMathJax) {
      // The book's template marks the body once MathJax's first typeset pass has finished.
      await page.waitForSelector('body[data-mathjax="typeset"]', { timeout: PAGE_TIMEOUT_MS }).catch(() => problems.push('MathJax did not finish typesetting'));
    }
    await page.waitForFunction(ALL_FIGURES_DRAWN, undefined, { timeout: PAGE_TIMEOUT_MS }).catch(() => undefined); // counted below
    const seen = (await page.evaluate(`(${PAGE_PROBE})(${JSON.stringify(RAW_TEX)})`)) as PageProbe;
    if (seen.figuresDrawn < seen.figures) problems.push(`${seen.figures - seen.figuresDrawn} of ${seen.figures} figures did not draw (no Plotly SVG)`);
    for (const text of seen.raw) problems.push(`raw TeX left in the text: "${text}"`);
    for (const text of seen.mathErrors) problems.push(`MathJax could not typeset an equation: ${text}`);
    if (hasMathJax && seen.raw.length === 0 && seen.equations === 0 && /\$/.test(await page.content())) {
      // A page with math in its source but no typeset element: MathJax never ran on it.
      problems.push('no equation was typeset (no mjx-container), though the page has $ in it');
    }
    fs.mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: seen.height <= MAX_SCREENSHOT_HEIGHT, ...(seen.height > MAX_SCREENSHOT_HEIGHT ? { clip: { x: 0, y: 0, width: 1200, height: MAX_SCREENSHOT_HEIGHT } } : {}) });
    problems.push(...errors, ...refused.map((url) => `tried to reach the network: ${url}`));
    return { file, title: seen.title, figures: seen.figures, figuresDrawn: seen.figuresDrawn, equations: seen.equations, screenshot, seconds: (Date.now() - started) / 1000, problems };
  } catch (error) {
    problems.push(`could not open: ${(error as Error).message.split('\n')[0]}`, ...errors);
    return { file, title: '', figures: 0, figuresDrawn: 0, equations: 0, screenshot, seconds: (Date.now() - started) / 1000, problems };
  } finally {
    await page.close();
  }
}

/**
 * Checks index.html and every other page of the book in `dir` (index first, then by name), and also that
 * every link of the index leads to a page of the book.
 */
export async function checkBook(dir: string): Promise<PageReport[]> {
  const pages = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.html') && f !== 'index.html')
    .sort();
  const browser = await launchChromium();
  try {
    const reports: PageReport[] = [];
    for (const file of ['index.html', ...pages]) reports.push(await checkPage(browser, path.join(dir, file), path.join(dir, 'screenshots')));
    const index = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
    const links = [...index.matchAll(/href="([^"]+)"/g)].map((m) => decodeURI(m[1]));
    for (const link of links) if (!pages.includes(link)) reports[0].problems.push(`the contents link to ${link}, which is not in the book`);
    for (const page of pages) if (!links.includes(page)) reports[0].problems.push(`${page} is in the book but not in the contents`);
    return reports;
  } finally {
    await browser.close();
  }
}

/** One line per page, with its problems under it. */
export function reportLine(r: PageReport): string {
  const head = `${r.problems.length === 0 ? 'PASS' : 'FAIL'} ${path.basename(r.file)}  ${r.seconds.toFixed(1)} s  (${r.figuresDrawn}/${r.figures} figures drawn, ${r.equations} equations typeset; screenshot ${path.relative(process.cwd(), r.screenshot)})`;
  return [head, ...r.problems.map((p) => `  - ${p}`)].join('\n');
}
