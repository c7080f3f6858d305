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
import { chromiumMissing } from '../scripts/browser';
import { bookLinks, buildBook, indexHtml, markdownNotebook, notebookTitle, parseBookArgs, type BuiltBook } from '../scripts/book';
import { checkBook, type PageReport } from '../scripts/book-check';
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

  test('loads nothing from the network: MathJax from the book\'s copy, plotly.js inlined, no require.js', () => {
    for (const file of ['01-equations-and-a-figure.html', '02-the-hessian.html']) {
      const html = fs.readFileSync(path.join(out, file), 'utf8');
      assert.deepEqual([...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]), ['mathjax/tex-chtml-full.js'], file);
      // plotly.js mentions CDN addresses in its code (map icons); what counts is what the page loads.
      assert.doesNotMatch(html, /<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="(?:https?:)?\/\//i, `${file} loads something from the network`);
      assert.doesNotMatch(html, /require\.min\.js/);
      assert.match(html, /plotly\.js v\d/, `${file} inlines plotly.js`);
    }
    assert.ok(fs.existsSync(path.join(out, 'mathjax', 'output', 'chtml', 'fonts', 'woff-v2', 'MathJax_Main-Regular.woff')));
    assert.ok(book.mathjaxBytes > 1e6 && book.mathjaxBytes < 2.5e6, `MathJax copy of ${book.mathjaxBytes} bytes`);
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

  test('links between notebooks become links between pages; other links stay', () => {
    const pages = new Set(['02-chain-rule.html', '04-curvature.html']);
    assert.equal(
      bookLinks('see [02](02-chain-rule.ipynb#Stuck-point-1) and [04](../notebooks/04-curvature.ipynb), not [09](09-four.ipynb) or [map](README.md)', pages),
      'see [02](02-chain-rule.html#Stuck-point-1) and [04](04-curvature.html), not [09](09-four.ipynb) or [map](README.md)',
    );
  });

  test('a Markdown file becomes a one-cell notebook titled by its heading', () => {
    const nb = markdownNotebook('# The thread\'s questions, answered\n\ntext') as { cells: { source: string }[] };
    assert.equal(nb.cells.length, 1);
    assert.equal(notebookTitle(nb as never, 'ANSWERS.md'), "The thread's questions, answered");
  });

  test('the contents escape titles', () => {
    assert.match(indexHtml([{ notebook: 'a.ipynb', file: 'a.html', title: 'A < B & C' }]), /A &lt; B &amp; C/);
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
