/**
 * `npm run book` on a small fixture curriculum (test/fixtures/book/, two notebooks), through the real
 * tslab kernel and nbconvert, then every page opened in Debian's chromium with all network refused:
 * figures drawn, equations typeset, console clean, a screenshot per page. The real notebooks go through
 * the same build and check at the end of `npm test` (`tsx scripts/book.ts --check`), so they are executed
 * once, not twice. Needs `npm run build` (the fixtures import maml-lab) and `npm run setup`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { chromiumMissing, launchChromium, offlinePage } from '../scripts/browser';
import { buildBook, githubAnchor, parseBookArgs, PLOTLY_FILE, type BuiltBook } from '../scripts/book';
import { checkBook, checkLinks, type PageReport } from '../scripts/book-check';
import { bookInputs, freshBook } from '../scripts/book-inputs';
import { indexHtml } from '../scripts/book-index';
import { bookLinks, companionPages, markdownNotebook, notebookTitle, questionsByPage } from '../scripts/book-pages';
import { DEFAULT_CELL_TIMEOUT_S } from '../scripts/run-notebooks';

const root = path.resolve(__dirname, '..');
const fixtures = path.join(root, 'test', 'fixtures', 'book');
const notebooks = ['01-equations-and-a-figure.ipynb', '02-the-hessian.ipynb'].map((f) => path.join(fixtures, f));

describe('the book of a fixture curriculum', { timeout: 300_000 }, () => {
  let book: BuiltBook;
  let reports: PageReport[];
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-book-test-')), 'book');

  before(async () => {
    book = await buildBook({ notebooks, timeoutSeconds: 120, out });
    if (!chromiumMissing()) reports = await checkBook(out);
  });

  test('has a page per notebook and a contents page listing them in order, by their first heading', () => {
    assert.deepEqual(book.pages.map((p) => [p.file, p.title]), [
      ['01-equations-and-a-figure.html', '1 · Equations and a figure'],
      ['02-the-hessian.html', '2 · The Hessian, seen'],
    ]);
    const index = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    assert.ok(index.indexOf('1 · Equations and a figure') < index.indexOf('2 · The Hessian, seen'));
    assert.match(index, /<a href="01-equations-and-a-figure\.html">/);
    const page = fs.readFileSync(path.join(out, '02-the-hessian.html'), 'utf8');
    assert.match(page, /<title>2 · The Hessian, seen<\/title>/);
    assert.match(page, /<a class="previous" href="01-equations-and-a-figure\.html">← 1 · Equations and a figure<\/a>/);
  });

  test('its headings also answer to the anchors GitHub gives them', () => {
    const page = fs.readFileSync(path.join(out, '02-the-hessian.html'), 'utf8');
    const heading = /<h1 id="([^"]+)">/.exec(page)?.[1] ?? '';
    assert.ok(page.includes(`<h1 id="${heading}"><a id="${githubAnchor(heading)}" class="maml-lab-anchor"></a>`), heading);
  });

  test('loads nothing from the network: MathJax and plotly.js from the book\'s one copy of each, no require.js', () => {
    for (const file of ['01-equations-and-a-figure.html', '02-the-hessian.html']) {
      const html = fs.readFileSync(path.join(out, file), 'utf8');
      assert.deepEqual([...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]), ['mathjax/tex-chtml-full.js', PLOTLY_FILE], file);
      assert.doesNotMatch(html, /<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="(?:https?:)?\/\//i, `${file} loads something from the network`);
      assert.doesNotMatch(html, /require\.min\.js/);
      // Not inlined: the page is small, and plotly.js is the file beside it.
      assert.doesNotMatch(html, /plotly\.js v\d/, `${file} still inlines plotly.js`);
      assert.ok(fs.statSync(path.join(out, file)).size < 1e6, `${file} is ${fs.statSync(path.join(out, file)).size} bytes`);
    }
    assert.match(fs.readFileSync(path.join(out, PLOTLY_FILE), 'utf8').slice(0, 200), /plotly\.js v\d/);
    assert.ok(fs.existsSync(path.join(out, 'mathjax', 'output', 'chtml', 'fonts', 'woff-v2', 'MathJax_Main-Regular.woff')));
    assert.ok(book.mathjaxBytes > 1e6 && book.mathjaxBytes < 2.5e6, `MathJax copy of ${book.mathjaxBytes} bytes`);
  });

  test('a page\'s button shows all its code, and folds it again', { skip: chromiumMissing() }, async () => {
    const browser = await launchChromium();
    try {
      const { page } = await offlinePage(browser, { width: 1200, height: 900 });
      await page.goto(`file://${path.join(out, '01-equations-and-a-figure.html')}`);
      // Browser code, so a string (the tests compile without the DOM's types).
      const open = (): Promise<number[]> => page.evaluate("(() => { const all = [...document.querySelectorAll('details.maml-lab-code')]; return [all.filter((d) => d.open).length, all.length]; })()") as Promise<number[]>;
      const [folded, cells] = await open();
      assert.equal(folded, 0);
      assert.ok(cells >= 2);
      await page.click('nav.top .maml-lab-code-toggle');
      assert.deepEqual(await open(), [cells, cells]);
      assert.equal(await page.textContent('nav.bottom .maml-lab-code-toggle'), 'Fold all code');
      await page.click('nav.top .maml-lab-code-toggle');
      assert.deepEqual(await open(), [0, cells]);
    } finally {
      await browser.close();
    }
  });

  test('every page opens offline: figures drawn, equations typeset, no raw TeX, a clean console', { skip: chromiumMissing() }, () => {
    assert.deepEqual(
      reports.map((r) => ({ page: path.basename(r.file), problems: r.problems })),
      ['index.html', '01-equations-and-a-figure.html', '02-the-hessian.html'].map((page) => ({ page, problems: [] })),
    );
    const [index, first, second] = reports;
    assert.equal(index.figures, 0);
    // Inline, display, an align environment, show()'s LaTeX and a matrix; \$5 stays a dollar.
    assert.deepEqual([first.figures, first.figuresDrawn, first.equations], [1, 1, 5]);
    assert.deepEqual([second.figures, second.figuresDrawn, second.equations], [2, 2, 2]);
    for (const r of reports) assert.ok(fs.statSync(r.screenshot).size > 10_000, `${r.screenshot} is a real picture`);
    // The cells' code is folded, one line each, and the bar's button shows it all.
    const page = fs.readFileSync(path.join(out, '01-equations-and-a-figure.html'), 'utf8');
    assert.match(page, /<details class="maml-lab-code"><summary>code · \d+ lines?<\/summary>/);
    assert.match(page, /<button[^>]*class="maml-lab-code-toggle"[^>]*>Show all code<\/button>/);
    assert.equal(path.dirname(first.screenshot), path.join(out, 'screenshots'));
  });
});

describe('the book refuses', { timeout: 300_000 }, () => {
  test('to be written when a notebook fails, with the runner\'s report of why', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-book-fail-')), 'book');
    await assert.rejects(buildBook({ notebooks: [path.join(root, 'test', 'fixtures', 'throws-in-cell-2.ipynb')], timeoutSeconds: 60, out }), /the notebooks did not all pass \(runner exit 1\), so no book was written/);
    assert.ok(!fs.existsSync(path.join(out, 'index.html')));
  });

  test('to empty a folder that is not a book', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-not-a-book-'));
    fs.writeFileSync(path.join(out, 'thesis.tex'), 'precious');
    await assert.rejects(buildBook({ notebooks, timeoutSeconds: 60, out }), /is not empty and is not a book folder/);
    assert.equal(fs.readFileSync(path.join(out, 'thesis.tex'), 'utf8'), 'precious');
  });
});

describe('book helpers', () => {
  test('a title is the first Markdown heading, else the file name', () => {
    const cells = [
      { cell_type: 'code', source: '# not a heading: code' },
      { cell_type: 'markdown', source: ['Some text\n', '## 3 · First-order MAML ##\n'] },
    ];
    assert.equal(notebookTitle({ cells }, 'x/03-fomaml.ipynb'), '3 · First-order MAML');
    assert.equal(notebookTitle({ cells: [] }, 'x/03-fomaml.ipynb'), '03-fomaml');
  });

  test('links to files the book has become links to their pages; links to files it has not become plain text', () => {
    const pages = new Map([['/p/notebooks/02-chain-rule.ipynb', '02-chain-rule.html'], ['/p/notebooks/04-curvature.ipynb', '04-curvature.html'], ['/p/notebooks/README.md', 'questions.html']]);
    assert.equal(
      bookLinks('see [02](02-chain-rule.ipynb#Stuck-point-1) and [04](../notebooks/04-curvature.ipynb), the [map](README.md), not [09](09-four.ipynb) or [src](../src/x.ts); [web](https://a.org/b.ipynb), [here](#Top), ![img](fig.png)', '/p/notebooks/01.ipynb', pages),
      'see [02](02-chain-rule.html#Stuck-point-1) and [04](04-curvature.html), the [map](questions.html), not 09 or src; [web](https://a.org/b.ipynb), [here](#Top), ![img](fig.png)',
    );
  });

  test('the pages beside the chapters: ANSWERS, the question map, the homework as given out, and rendered copies of linked Markdown', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-book-pages-'));
    const notebooks = path.join(dir, 'notebooks');
    fs.mkdirSync(path.join(notebooks, 'homework'), { recursive: true });
    fs.writeFileSync(path.join(notebooks, 'ANSWERS.md'), '# Answers\n\n[01](01-a.ipynb)');
    fs.writeFileSync(path.join(notebooks, 'README.md'), '# Map\n\n| question | where |\n|---|---|\n| Why *two* levels? | [01](01-a.ipynb) → *Level 2* |\n| Unlinked? | nowhere |\n');
    fs.writeFileSync(path.join(notebooks, 'homework', 'README.md'), '# Homework\n\n[one](01-hw.ipynb), [project](../../README.md)');
    fs.copyFileSync(path.join(root, 'notebooks', 'homework', '01-two-step-meta-gradient.ipynb'), path.join(notebooks, 'homework', '01-hw.ipynb'));
    fs.writeFileSync(path.join(dir, 'README.md'), '# The project\n');
    fs.writeFileSync(path.join(notebooks, '01-a.ipynb'), JSON.stringify({ cells: [{ cell_type: 'markdown', source: '# 1 · A\n' }] }));
    const pages = companionPages(notebooks, [path.join(notebooks, '01-a.ipynb')]);
    assert.deepEqual(pages.map((p) => [p.file, p.kind, p.title]), [
      ['ANSWERS.html', 'guide', 'Answers'],
      ['questions.html', 'guide', 'Map'],
      ['homework.html', 'guide', 'Homework'],
      ['homework-01-hw.html', 'homework', notebookTitle(JSON.parse(fs.readFileSync(path.join(notebooks, 'homework', '01-hw.ipynb'), 'utf8')), 'x')],
      ['about-README.html', 'guide', 'The project'],
    ]);
    const bySource = new Map([[path.join(notebooks, '01-a.ipynb'), '01-a.html'], ...pages.map((p): [string, string] => [p.source, p.file])]);
    assert.deepEqual([...questionsByPage(fs.readFileSync(path.join(notebooks, 'README.md'), 'utf8'), path.join(notebooks, 'README.md'), bySource)], [['01-a.html', ['Why two levels?']]]);
  });

  test('headings also answer to the anchors GitHub gives them, which the READMEs link to', () => {
    assert.equal(githubAnchor('Homework:-assignments-and-an-autograder'), 'homework-assignments-and-an-autograder');
    assert.equal(githubAnchor('Stuck point 1: where does ∇θ θ₀ go?'), 'stuck-point-1-where-does-θ-θ₀-go');
  });

  test('the link check: a missing page, a missing anchor and a page out of reach are each reported where they are', () => {
    const page = (file: string, links: string[], anchors: string[] = []) => ({ file: `/b/${file}`, links, anchors, problems: [] as string[] });
    const reports = [page('index.html', ['a.html', 'https://x.org/']), page('a.html', ['#Top', 'b.html#Top', 'gone.html', '../notes.md', '#Nowhere'], ['Top']), page('b.html', []), page('lost.html', ['a.html'])];
    checkLinks(reports);
    assert.deepEqual(reports.map((r) => r.problems), [
      ['lost.html is in the book, but no link from the contents leads to it'],
      ['a link leads to an anchor b.html does not have: b.html#Top', 'a link leads to gone.html, which is not a page of the book: gone.html', 'a link leads out of the book: ../notes.md', 'a link leads to an anchor a.html does not have: #Nowhere'],
      [],
      [],
    ]);
  });

  test('a book is fresh for --check only when built from exactly these inputs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-book-fresh-'));
    const notebook = path.join(dir, 'n', '01.ipynb');
    fs.mkdirSync(path.dirname(notebook));
    fs.writeFileSync(notebook, '{"cells": []}');
    const out = path.join(dir, 'book');
    fs.mkdirSync(out);
    assert.equal(freshBook(out, [notebook]), false, 'no record: not fresh');
    fs.writeFileSync(path.join(out, '.maml-lab-book-inputs.json'), JSON.stringify(bookInputs([notebook])));
    assert.equal(freshBook(out, [notebook]), true);
    fs.writeFileSync(path.join(path.dirname(notebook), 'ANSWERS.md'), '# new page');
    assert.equal(freshBook(out, [notebook]), false, 'a file beside the notebooks changed');
  });

  test('a Markdown file becomes a one-cell notebook titled by its heading', () => {
    const nb = markdownNotebook('# The thread\'s questions, answered\n\ntext') as { cells: { source: string }[] };
    assert.equal(nb.cells.length, 1);
    assert.equal(notebookTitle(nb as never, 'ANSWERS.md'), "The thread's questions, answered");
  });

  test('the contents escape titles', () => {
    assert.match(indexHtml([{ source: '/n/a.ipynb', file: 'a.html', title: 'A < B & C', kind: 'chapter' }], new Map([['a.html', ['Is x < y?']]])), /A &lt; B &amp; C[\s\S]*Is x &lt; y\?/);
  });

  test('the command line: --out, --check, then the runner\'s own flags and notebooks', () => {
    const options = parseBookArgs(['--out', '/tmp/b', '--check', '--timeout', '30', notebooks[0]]);
    assert.deepEqual(options, { out: '/tmp/b', check: true, timeoutSeconds: 30, notebooks: [notebooks[0]] });
    assert.equal(parseBookArgs([notebooks[0]]).out, path.join(root, 'book'));
    assert.equal(parseBookArgs([notebooks[0]]).timeoutSeconds, DEFAULT_CELL_TIMEOUT_S);
    assert.throws(() => parseBookArgs(['--out']), /--out needs a folder/);
    assert.throws(() => parseBookArgs(['--bogus']), /unknown option --bogus/);
  });
});
