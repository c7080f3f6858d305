/**
 * Opens every page of a built book in Debian's chromium with every network request refused, and says
 * what a reader would see go wrong: a figure that did not draw, an equation left as raw TeX or typeset
 * as an error, a console error, a request that left the machine or a local file that is missing, a link
 * that leads to no page or anchor of the book, a page no link from the contents reaches. Saves screenshots
 * of each whole page in <book>/screenshots/. Used by `npm run book -- --check` (and so `npm test`)
 * and by test/book.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { percentDecoded } from './book-pages';
import { checkExplorers, explorerLine, type ExplorerReport } from './book-explorers';
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
  /** The first screenshot; a page taller than one picture is saved in several (name.png, name-2.png, …). */
  screenshot: string;
  screenshots: string[];
  /** The live explorers on the page, each driven through its states (scripts/book-explorers.ts). */
  explorers: ExplorerReport[];
  /** The page's links (href as written) and its anchors (ids and names). */
  links: string[];
  anchors: string[];
  seconds: number;
  /** Everything wrong, in words; empty when the page is fine. */
  problems: string[];
}

/** How long a page may take to load, typeset and draw. */
const PAGE_TIMEOUT_MS = 60_000;

/** A page taller than this is saved in several screenshots (chromium's texture limit is 16,384 px). */
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
  links: string[];
  anchors: string[];
  /** Whether the page's text (what a reader sees, outside code) has a $. */
  dollars: boolean;
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
    links: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')),
    anchors: [...document.querySelectorAll('[id], a[name]')].map((el) => el.id || el.getAttribute('name')),
    dollars: [...document.body.querySelectorAll('p, li, td, th, h1, h2, h3, h4, h5, h6')].some((el) => !el.closest(skip) && /\$/.test([...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join(''))),
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
    if (hasMathJax && seen.raw.length === 0 && seen.equations === 0 && seen.dollars) {
      // A page whose text has $ but no typeset element: MathJax never ran on it.
      problems.push('no equation was typeset (no mjx-container), though the page has $ in it');
    }
    fs.mkdirSync(screenshots, { recursive: true });
    const explorers = await checkExplorers(page, screenshots, path.basename(file, '.html'));
    for (const e of explorers) problems.push(...e.problems);
    await page.evaluate('window.scrollTo(0, 0)');
    const shots: string[] = [];
    for (let top = 0; top < Math.max(seen.height, 1); top += MAX_SCREENSHOT_HEIGHT) {
      const shot = top === 0 ? screenshot : screenshot.replace(/\.png$/, `-${shots.length + 1}.png`);
      await page.screenshot({ path: shot, fullPage: true, clip: { x: 0, y: top, width: 1200, height: Math.min(MAX_SCREENSHOT_HEIGHT, Math.max(seen.height - top, 1)) } });
      shots.push(shot);
    }
    problems.push(...errors, ...refused.map((url) => `tried to reach the network: ${url}`));
    return { file, title: seen.title, figures: seen.figures, figuresDrawn: seen.figuresDrawn, equations: seen.equations, screenshot, screenshots: shots, explorers, links: seen.links, anchors: seen.anchors, seconds: (Date.now() - started) / 1000, problems };
  } catch (error) {
    problems.push(`could not open: ${(error as Error).message.split('\n')[0]}`, ...errors);
    return { file, title: '', figures: 0, figuresDrawn: 0, equations: 0, screenshot, screenshots: [], explorers: [], links: [], anchors: [], seconds: (Date.now() - started) / 1000, problems };
  } finally {
    await page.close();
  }
}

/**
 * What is wrong with the links of a book's pages: a link to a file the book does not have, to an anchor
 * its page does not have, or out of the book by file: or an absolute path; and every page no chain of
 * links from the contents (index.html) reaches. Web and mail links are not followed (the book is
 * offline; they are for the reader), nor are script links (a plot's buttons). Each problem is added to the report of the page it is on.
 *
 * @example
 * import { checkLinks } from './book-check';
 * const page = (file: string, links: string[], anchors: string[] = []) => ({ file: `/b/${file}`, links, anchors, problems: [] as string[] });
 * const reports = [page('index.html', ['a.html#Top', 'a.html#Gone']), page('a.html', ['#Top', 'missing.html'], ['Top'])];
 * checkLinks(reports);
 * reports.map((r) => r.problems.length) // [1, 1]
 */
export function checkLinks(reports: readonly Pick<PageReport, 'file' | 'links' | 'anchors' | 'problems'>[]): void {
  const byName = new Map(reports.map((r) => [path.basename(r.file), r]));
  const reached = new Set<string>(['index.html']);
  const queue = ['index.html'];
  const targets = (r: Pick<PageReport, 'file' | 'links'>): { link: string; page: string; anchor: string }[] =>
    r.links
      .filter((link) => !/^(https?|mailto|javascript|data):/i.test(link))
      .map((link) => {
        const hash = link.indexOf('#');
        const file = hash < 0 ? link : link.slice(0, hash);
        return { link, page: file === '' ? path.basename(r.file) : percentDecoded(file), anchor: hash < 0 ? '' : percentDecoded(link.slice(hash + 1)) };
      });
  for (const r of reports) {
    for (const { link, page, anchor } of targets(r)) {
      const target = byName.get(page);
      if (/^[a-z][a-z0-9+.-]*:/i.test(link) || page.startsWith('/') || page.includes('..')) r.problems.push(`a link leads out of the book: ${link}`);
      else if (target === undefined) r.problems.push(`a link leads to ${page}, which is not a page of the book: ${link}`);
      else if (anchor !== '' && !target.anchors.some((id) => percentDecoded(id) === anchor)) r.problems.push(`a link leads to an anchor ${page} does not have: ${link}`);
    }
  }
  while (queue.length > 0) {
    const r = byName.get(queue.shift() as string);
    if (r === undefined) continue;
    for (const { page } of targets(r)) if (byName.has(page) && !reached.has(page)) reached.add(page) && queue.push(page);
  }
  const index = byName.get('index.html');
  for (const name of byName.keys()) if (!reached.has(name)) index?.problems.push(`${name} is in the book, but no link from the contents leads to it`);
}

/** Checks index.html and every other page of the book in `dir` (index first, then by name), and their links. */
export async function checkBook(dir: string): Promise<PageReport[]> {
  const pages = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.html') && f !== 'index.html')
    .sort();
  const browser = await launchChromium();
  try {
    const reports: PageReport[] = [];
    for (const file of ['index.html', ...pages]) reports.push(await checkPage(browser, path.join(dir, file), path.join(dir, 'screenshots')));
    checkLinks(reports);
    return reports;
  } finally {
    await browser.close();
  }
}

/** One line per page, with its problems under it. */
export function reportLine(r: PageReport): string {
  const head = `${r.problems.length === 0 ? 'PASS' : 'FAIL'} ${path.basename(r.file)}  ${r.seconds.toFixed(1)} s  (${r.figuresDrawn}/${r.figures} figures drawn, ${r.equations} equations typeset; ${r.screenshots.length > 1 ? `${r.screenshots.length} screenshots from` : 'screenshot'} ${path.relative(process.cwd(), r.screenshot)})`;
  return [head, ...r.explorers.map((e) => `  · ${explorerLine(e)}`), ...r.problems.map((p) => `  - ${p}`)].join('\n');
}
