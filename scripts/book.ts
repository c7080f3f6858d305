/**
 * `npm run book`: executes every notebook through the real tslab kernel and exports each to HTML in
 * book/, with an index page in curriculum order, readable offline.
 *
 *   tsx scripts/book.ts [--out DIR] [--timeout SECONDS] [--check] [NOTEBOOK.ipynb ...]
 *
 * - Execution is the notebook runner's (runNotebooks → python/run_notebooks.py --save-executed): the same
 *   kernel, the same failure rules (`error` and `abort` replies, error outputs, timeouts, committed
 *   outputs), the same report. Any failure and no book is written.
 * - Export is nbconvert's HTML with the template in scripts/book-template/maml-lab-book: the lab look,
 *   no require.js, MathJax 3 from the book's own copy (book/mathjax, 1.7 MB: the one-file TeX build with
 *   every extension, its CommonHTML fonts, the Safe filter and the assistive-MathML module the menu
 *   loads), a contents/previous/next line. plotly.js comes inlined in each page's first figure
 *   (src/notebook/plotly.ts), so each page stands alone.
 * - --check then opens every page in Debian's chromium with all network refused and fails unless every
 *   figure drew, every equation was typeset and the console stayed clean (scripts/book-check.ts); it
 *   saves a screenshot of each page in book/screenshots/. `npm test` builds the book this way, so the real
 *   notebooks are executed once and checked in a browser.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { escapeHtml } from '../src/notebook/html';
import { chromiumMissing } from './browser';
import { jupyterEnv, projectRoot, venvBin } from './jupyter';
import { parseArgs as parseRunnerArgs, runNotebooks, type RunnerOptions } from './run-notebooks';

/** Where `npm run book` writes, unless --out says otherwise (git-ignored). */
export const DEFAULT_BOOK_DIR = path.join(projectRoot, 'book');

/** A file in every book folder, so that a rebuild may empty the folder: it never empties another. */
const BOOK_MARKER = '.maml-lab-book';

/** The nbconvert template folder (holding maml-lab-book/). */
const TEMPLATE_DIR = path.join(projectRoot, 'scripts', 'book-template');

/** The MathJax 3 files a page loads, relative to mathjax/es5 in node_modules and to book/mathjax. */
export const MATHJAX_FILES = ['tex-chtml-full.js', 'ui/safe.js', 'a11y/assistive-mml.js', 'output/chtml/fonts/woff-v2'];

/** The script each page loads MathJax from, relative to the page. */
const MATHJAX_URL = 'mathjax/tex-chtml-full.js';

const USAGE = 'usage: tsx scripts/book.ts [--out DIR] [--timeout SECONDS] [--check] [NOTEBOOK.ipynb ...]';

/** Parsed command line of book.ts. */
export interface BookOptions extends RunnerOptions {
  out: string;
  check: boolean;
}

/** One page of the book. */
export interface BookPage {
  /** The notebook it comes from. */
  notebook: string;
  /** Its HTML file name in the book folder. */
  file: string;
  title: string;
}

/** Parses the command line: the book's own flags, then the runner's (--timeout and the notebooks). */
export function parseBookArgs(argv: readonly string[]): BookOptions {
  let out = DEFAULT_BOOK_DIR;
  let check = false;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--check') check = true;
    else if (arg === '--out' || arg.startsWith('--out=')) {
      const value = arg === '--out' ? argv[++i] : arg.slice('--out='.length);
      if (value === undefined || value === '') throw new Error(`--out needs a folder.\n${USAGE}`);
      out = path.resolve(value);
    } else rest.push(arg);
  }
  return { ...parseRunnerArgs(rest), out, check };
}

/**
 * A notebook's title: the text of its first Markdown heading ("# 1 · Bi-level optimisation" gives
 * "1 · Bi-level optimisation"), else its file name without .ipynb.
 */
export function notebookTitle(notebook: { cells?: { cell_type: string; source: string | string[] }[] }, file: string): string {
  for (const cell of notebook.cells ?? []) {
    if (cell.cell_type !== 'markdown') continue;
    const source = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
    const heading = /^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$/m.exec(source);
    if (heading) return heading[1];
  }
  return path.basename(file, '.ipynb');
}

/**
 * Markdown links between notebooks, made links between pages: `](04-x.ipynb#a)` becomes `](04-x.html#a)`
 * when 04-x.html is a page of the book; other links are left as they are.
 */
export function bookLinks(markdown: string, pageFiles: ReadonlySet<string>): string {
  return markdown.replace(/\]\(([^()\s#]+)\.ipynb((?:#[^()\s]*)?)\)/g, (link, name: string, hash: string) =>
    pageFiles.has(`${path.basename(name)}.html`) ? `](${path.basename(name)}.html${hash})` : link);
}

/** The file next to the notebooks whose Markdown answers the thread's questions: the book's first page. */
export const ANSWERS_FILE = 'ANSWERS.md';

/** A Markdown file as a one-cell notebook, so nbconvert exports it with the book's template. */
export function markdownNotebook(markdown: string): object {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript (tslab)', language: 'typescript' } },
    cells: [{ cell_type: 'markdown', id: 'answers', metadata: {}, source: markdown }],
  };
}

/** The contents page: every notebook in the order given (curriculum order: by file name), by title. */
export function indexHtml(pages: readonly BookPage[]): string {
  const items = pages.map((p) => `    <li><a href="${encodeURI(p.file)}">${escapeHtml(p.title)}</a> <span class="file">${escapeHtml(path.basename(p.notebook))}</span></li>`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>maml-lab: the MAML meta-gradient, line by line</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 46em; margin: 3em auto; padding: 0 1em; color: #222; line-height: 1.5; }
h1 { font-weight: 600; }
ol { padding-left: 0; list-style: none; }
li { margin: 0.6em 0; font-size: 1.1em; }
a { color: #1f77b4; text-decoration: none; }
a:hover { text-decoration: underline; }
.file { color: #888; font-size: 0.8em; margin-left: 0.5em; }
</style>
</head>
<body>
<h1>maml-lab: the MAML meta-gradient, line by line</h1>
<p>The notebooks, executed through the TypeScript kernel, with every figure and every checked claim as the run produced them. The pages work offline.</p>
<ol>
${items.join('\n')}
</ol>
</body>
</html>
`;
}

/** Makes `out` an empty book folder; refuses a non-empty folder that is not a book, which it would wipe. */
function prepareOutput(out: string): void {
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0 && !fs.existsSync(path.join(out, BOOK_MARKER))) {
    throw new Error(`${out} is not empty and is not a book folder (no ${BOOK_MARKER} in it); pick another --out`);
  }
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, BOOK_MARKER), 'Written by `npm run book` (scripts/book.ts); the whole folder is rebuilt each time.\n');
}

/** Copies the MathJax files the pages load into out/mathjax; returns their size in bytes. */
export function copyMathJax(out: string): number {
  const source = path.join(path.dirname(require.resolve('mathjax/package.json')), 'es5');
  let bytes = 0;
  for (const entry of MATHJAX_FILES) {
    const from = path.join(source, entry);
    const to = path.join(out, 'mathjax', entry);
    fs.cpSync(from, to, { recursive: true });
    const files = fs.statSync(from).isDirectory() ? fs.readdirSync(from).map((f) => path.join(from, f)) : [from];
    bytes += files.reduce((sum, f) => sum + fs.statSync(f).size, 0);
  }
  return bytes;
}

/**
 * Gives each executed notebook its title and its neighbours in the book's metadata (the template's
 * navigation line and <title> read them).
 */
function annotate(executedDir: string, pages: readonly BookPage[]): void {
  pages.forEach((page, i) => {
    const file = path.join(executedDir, path.basename(page.notebook));
    const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as { metadata: Record<string, unknown> };
    const link = (p: BookPage | undefined) => (p === undefined ? null : { href: p.file, title: p.title });
    const files = new Set(pages.map((p) => p.file));
    for (const cell of (nb as { cells?: { cell_type: string; source: string | string[] }[] }).cells ?? []) {
      if (cell.cell_type === 'markdown') cell.source = bookLinks(Array.isArray(cell.source) ? cell.source.join('') : cell.source, files);
    }
    nb.metadata.title = page.title;
    nb.metadata.maml_lab_book = { contents: 'index.html', previous: link(pages[i - 1]), next: link(pages[i + 1]) };
    fs.writeFileSync(file, JSON.stringify(nb));
  });
}

/** Runs nbconvert on the executed notebooks into `out`; throws with its output when it fails. */
function exportHtml(executed: string[], out: string): void {
  const args = [
    'nbconvert',
    '--to',
    'html',
    `--TemplateExporter.extra_template_basedirs=${TEMPLATE_DIR}`,
    '--template',
    'maml-lab-book',
    `--HTMLExporter.mathjax_url=${MATHJAX_URL}`,
    '--output-dir',
    out,
    ...executed,
  ];
  const result = spawnSync(venvBin('jupyter'), args, { encoding: 'utf8', env: jupyterEnv(), maxBuffer: 64 * 1024 * 1024 });
  if (result.error !== undefined) throw new Error(`could not run nbconvert: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`nbconvert failed (exit ${result.status}):\n${result.stderr}`);
}

/** What a build did. */
export interface BuiltBook {
  out: string;
  pages: BookPage[];
  /** Bytes of MathJax copied into the book. */
  mathjaxBytes: number;
  /** Seconds spent executing the notebooks, and exporting them. */
  seconds: { execute: number; export: number };
}

/**
 * Executes the notebooks (the runner's rules) and writes the book to options.out. Throws, writing no
 * book, when a notebook fails; the runner's report above says which and why.
 */
export async function buildBook(options: RunnerOptions & { out: string }): Promise<BuiltBook> {
  prepareOutput(options.out);
  const executedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-book-'));
  try {
    let started = Date.now();
    const code = await runNotebooks({ ...options, saveExecutedTo: executedDir });
    if (code !== 0) {
      const error = new Error(`the notebooks did not all pass (runner exit ${code}), so no book was written`);
      (error as Error & { exitCode: number }).exitCode = code;
      throw error;
    }
    const execute = (Date.now() - started) / 1000;
    started = Date.now();
    const pages = options.notebooks.map((notebook) => {
      const executed = JSON.parse(fs.readFileSync(path.join(executedDir, path.basename(notebook)), 'utf8'));
      return { notebook, file: `${path.basename(notebook, '.ipynb')}.html`, title: notebookTitle(executed, notebook) };
    });
    // The thread's questions answered, when the notebooks' folder has them: the first page, before 00.
    const answers = path.join(path.dirname(options.notebooks[0] ?? '.'), ANSWERS_FILE);
    if (fs.existsSync(answers)) {
      const notebook = markdownNotebook(fs.readFileSync(answers, 'utf8'));
      const name = path.basename(ANSWERS_FILE, '.md');
      fs.writeFileSync(path.join(executedDir, `${name}.ipynb`), JSON.stringify(notebook));
      pages.unshift({ notebook: path.join(path.dirname(answers), `${name}.ipynb`), file: `${name}.html`, title: notebookTitle(notebook as never, answers) });
    }
    annotate(executedDir, pages);
    exportHtml(pages.map((p) => path.join(executedDir, path.basename(p.notebook))), options.out);
    const mathjaxBytes = copyMathJax(options.out);
    fs.writeFileSync(path.join(options.out, 'index.html'), indexHtml(pages));
    return { out: options.out, pages, mathjaxBytes, seconds: { execute, export: (Date.now() - started) / 1000 } };
  } finally {
    fs.rmSync(executedDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  (async () => {
    let options: BookOptions;
    try {
      options = parseBookArgs(process.argv.slice(2));
    } catch (error) {
      console.error(`book: ${(error as Error).message}`);
      return 2;
    }
    try {
      const book = await buildBook(options);
      const where = path.relative(process.cwd(), book.out) || '.';
      console.log(
        `book: ${book.pages.length} pages in ${where}/ (executed in ${book.seconds.execute.toFixed(0)} s, exported in ${book.seconds.export.toFixed(1)} s; MathJax ${(book.mathjaxBytes / 1e6).toFixed(1)} MB); open ${path.join(where, 'index.html')}`,
      );
      if (!options.check) return 0;
      const missing = chromiumMissing();
      if (missing) {
        // As the browser tests do: outside CI a missing browser is a note, not a failure (CI installs it).
        console.log(`book: not checked in a browser: ${missing}`);
        return 0;
      }
      const { checkBook, reportLine } = await import('./book-check');
      const reports = await checkBook(book.out);
      for (const r of reports) console.log(reportLine(r));
      const failed = reports.filter((r) => r.problems.length > 0).length;
      console.log(`\nbook: ${reports.length - failed} passed, ${failed} failed`);
      return failed === 0 ? 0 : 1;
    } catch (error) {
      console.error(`book: ${(error as Error).message}`);
      return (error as Error & { exitCode?: number }).exitCode ?? 1;
    }
  })().then((code) => process.exit(code));
}
