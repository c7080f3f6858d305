/**
 * `npm run book`: executes every notebook through the real tslab kernel and exports the course to HTML in
 * book/, readable offline: the thread's questions answered (ANSWERS.md), the chapters in curriculum order,
 * the question map, the homework as given out, and a contents page that says what each chapter answers.
 *
 *   tsx scripts/book.ts [--out DIR] [--timeout SECONDS] [--check] [NOTEBOOK.ipynb ...]
 *
 * - Execution is the notebook runner's (runNotebooks → python/run_notebooks.py --save-executed): the same
 *   kernel, the same failure rules (`error` and `abort` replies, error outputs, timeouts, committed
 *   outputs), the same report. Any failure and no book is written.
 * - Which pages besides the chapters, and how links become links inside the book: scripts/book-pages.ts.
 *   The contents page: scripts/book-index.ts.
 * - Export is nbconvert's HTML with the template in scripts/book-template/maml-lab-book: the lab look,
 *   no require.js, code folded, MathJax 3 from the book's own copy (book/mathjax, 1.7 MB: the one-file TeX
 *   build with every extension, its CommonHTML fonts, the Safe filter and the assistive-MathML module the
 *   menu loads), a contents/previous/next line. plotly.js, which a notebook's first figure carries
 *   (src/notebook/plotly.ts), is one shared file beside the pages (book/plotly.min.js).
 * - --check then opens every page in Debian's chromium with all network refused and fails unless every
 *   figure drew, every equation was typeset, the console stayed clean and every link leads to a page or
 *   anchor of the book (scripts/book-check.ts); it saves screenshots of each whole page in
 *   book/screenshots/. When book/ was built from exactly the same inputs (scripts/book-inputs.ts), --check
 *   checks it as it is instead of executing everything again. `npm test` builds the book this way, so the
 *   real notebooks are executed once and checked in a browser.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { webBundleSource } from '../src/notebook/explorer';
import { plotlyLibrarySource } from '../src/notebook/plotly';
import { chromiumMissing } from './browser';
import { bookInputs, freshBook, INPUTS_FILE } from './book-inputs';
import { indexHtml } from './book-index';
import { ANSWERS_PAGE, bookLinks, cellText, companionPages, notebookTitle, pageNotebook, percentDecoded, questionsByPage, QUESTION_MAP_PAGE, type BookPage, type NotebookJson } from './book-pages';
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
 * Writes each page's notebook into `dir` (named as its page), with its title, its navigation (previous and
 * next in reading order: the first page, then the chapters) and its links made links inside the book.
 */
function writePageNotebooks(dir: string, pages: readonly BookPage[], executed: (page: BookPage) => NotebookJson): string[] {
  const order = pages.filter((p) => p.kind === 'chapter' || p.file === ANSWERS_PAGE);
  const bySource = new Map(pages.map((p) => [p.source, p.file]));
  const link = (p: BookPage | undefined) => (p === undefined ? null : { href: p.file, title: p.title });
  return pages.map((page) => {
    const nb = pageNotebook(page, page.kind === 'chapter' ? executed(page) : undefined);
    for (const cell of nb.cells ?? []) {
      if (cell.cell_type === 'markdown') cell.source = bookLinks(cellText(cell.source), page.source, bySource);
    }
    const at = order.indexOf(page);
    nb.metadata = {
      ...nb.metadata,
      title: page.title,
      maml_lab_book: {
        contents: 'index.html',
        previous: at < 0 ? null : link(order[at - 1]),
        next: at < 0 ? null : link(order[at + 1]),
        // An assignment is read for its code; elsewhere the prose reads on its own and code is folded.
        code: page.kind === 'homework' ? 'open' : 'folded',
      },
    };
    const file = path.join(dir, `${path.basename(page.file, '.html')}.ipynb`);
    fs.writeFileSync(file, JSON.stringify(nb));
    return file;
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
  /** The book's size: every file in it, screenshots aside. */
  bytes: number;
  /** Seconds spent executing the notebooks, and exporting them. */
  seconds: { execute: number; export: number };
}

/** The plotly.js file every page with a figure loads, beside the pages. */
export const PLOTLY_FILE = 'plotly.min.js';

/**
 * A heading's anchor as GitHub writes it (lower case, punctuation dropped, spaces as hyphens), from the
 * heading's text or from nbconvert's id for it (the text with spaces as hyphens, %-escaped).
 *
 * @example
 * import { githubAnchor } from './book';
 * githubAnchor('The-book:-every-notebook-as-a-web-page,-offline') // "the-book-every-notebook-as-a-web-page-offline"
 * githubAnchor('2-%C2%B7-The-meta-gradient') // "2--the-meta-gradient"
 */
export function githubAnchor(heading: string): string {
  return percentDecoded(heading).trim().toLowerCase().replace(/[^\p{L}\p{M}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** The browser bundle of the live explorers (src/web), one file beside the pages like plotly.js. */
export const WEB_BUNDLE_FILE = 'maml-lab-web.js';

/** A script a notebook output inlines once per session, and the shared file the book loads it from instead. */
export interface SharedScript {
  file: string;
  source: string;
}

/**
 * Finishes an exported page in one read and one write:
 * - each heading gets a second anchor, GitHub's, beside nbconvert's: the Markdown files made pages (READMEs)
 *   link to headings as GitHub names them (`README.md#backends`), nbconvert names them otherwise (`Backends`);
 * - each script a notebook's first figure or explorer carries inline (plotly.js, see src/notebook/plotly.ts;
 *   the explorers' bundle, see src/notebook/explorer.ts) becomes one `<script src>` of the book's shared
 *   copy: 4.9 MB once instead of once per page.
 * Returns the shared scripts the page carried.
 */
function finishPage(page: string, scripts: readonly SharedScript[]): SharedScript[] {
  let html = fs.readFileSync(page, 'utf8');
  const ids = new Set([...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]));
  html = html.replace(/<h([1-6]) id="([^"]+)">/g, (tag, _level: string, id: string) => {
    const alias = githubAnchor(id);
    if (alias === '' || ids.has(alias)) return tag;
    ids.add(alias);
    return `${tag}<a id="${alias}" class="maml-lab-anchor"></a>`;
  });
  const carried = scripts.filter((script) => {
    const inlined = `<script>${script.source}</script>`;
    const at = html.indexOf(inlined);
    if (at >= 0) html = `${html.slice(0, at)}<script src="${script.file}"></script>${html.slice(at + inlined.length)}`;
    return at >= 0;
  });
  fs.writeFileSync(page, html);
  return carried;
}

/** Bytes of every file under `dir`, except the folder named `except`. */
function folderBytes(dir: string, except = 'screenshots'): number {
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) bytes += entry.name === except ? 0 : folderBytes(file, except);
    else bytes += fs.statSync(file).size;
  }
  return bytes;
}

/**
 * Executes the notebooks (the runner's rules) and writes the book to options.out: the chapters, the pages
 * beside them (scripts/book-pages.ts) and the contents. Throws, writing no book, when a notebook fails;
 * the runner's report above says which and why.
 */
export async function buildBook(options: RunnerOptions & { out: string }): Promise<BuiltBook> {
  const inputs = bookInputs(options.notebooks);
  prepareOutput(options.out);
  const executedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-book-'));
  const pagesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-book-pages-'));
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
    // Read once each: an executed notebook carries its outputs, plotly.js among them.
    const parsed = new Map<string, NotebookJson>();
    const executed = (page: BookPage): NotebookJson => {
      const file = path.join(executedDir, path.basename(page.source));
      if (!parsed.has(file)) parsed.set(file, JSON.parse(fs.readFileSync(file, 'utf8')) as NotebookJson);
      return parsed.get(file) as NotebookJson;
    };
    const chapters: BookPage[] = options.notebooks.map((notebook) => {
      const source = path.resolve(notebook);
      const page: BookPage = { source, file: `${path.basename(notebook, '.ipynb')}.html`, title: '', kind: 'chapter' };
      return { ...page, title: notebookTitle(executed(page), notebook) };
    });
    const notebooksDir = path.dirname(path.resolve(options.notebooks[0] ?? '.'));
    const companions = companionPages(notebooksDir, chapters.map((c) => c.source));
    // The thread's questions answered come first; the other companions are reached from the contents.
    const pages = [...companions.filter((p) => p.file === ANSWERS_PAGE), ...chapters, ...companions.filter((p) => p.file !== ANSWERS_PAGE)];
    exportHtml(writePageNotebooks(pagesDir, pages, executed), options.out);
    const scripts: SharedScript[] = [
      { file: PLOTLY_FILE, source: plotlyLibrarySource() },
      { file: WEB_BUNDLE_FILE, source: webBundleSource() },
    ];
    for (const script of new Set(pages.flatMap((p) => finishPage(path.join(options.out, p.file), scripts)))) {
      fs.writeFileSync(path.join(options.out, script.file), script.source);
    }
    const mathjaxBytes = copyMathJax(options.out);
    const map = pages.find((p) => p.file === QUESTION_MAP_PAGE);
    const answers = map ? questionsByPage(fs.readFileSync(map.source, 'utf8'), map.source, new Map(pages.map((p) => [p.source, p.file]))) : new Map<string, string[]>();
    fs.writeFileSync(path.join(options.out, 'index.html'), indexHtml(pages, answers));
    // Last: a book with this file is complete, and was built from these inputs (see `freshBook`).
    fs.writeFileSync(path.join(options.out, INPUTS_FILE), `${JSON.stringify(inputs, null, 1)}\n`);
    return { out: options.out, pages, mathjaxBytes, bytes: folderBytes(options.out), seconds: { execute, export: (Date.now() - started) / 1000 } };
  } finally {
    fs.rmSync(executedDir, { recursive: true, force: true });
    fs.rmSync(pagesDir, { recursive: true, force: true });
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
      const where = path.relative(process.cwd(), options.out) || '.';
      if (options.check && freshBook(options.out, options.notebooks)) {
        // `npm run book` then `npm run book -- --check`: the book there was built from the same files.
        console.log(`book: ${where}/ was built from these very notebooks, package and settings; checking it as it is`);
      } else {
        const book = await buildBook(options);
        console.log(
          `book: ${book.pages.length} pages in ${where}/, ${(book.bytes / 1e6).toFixed(1)} MB (executed in ${book.seconds.execute.toFixed(0)} s, exported in ${book.seconds.export.toFixed(1)} s; MathJax ${(book.mathjaxBytes / 1e6).toFixed(1)} MB); open ${path.join(where, 'index.html')}`,
        );
      }
      if (!options.check) return 0;
      const missing = chromiumMissing();
      if (missing) {
        // As the browser tests do: outside CI a missing browser is a note, not a failure (CI installs it).
        console.log(`book: not checked in a browser: ${missing}`);
        return 0;
      }
      const { checkBook, reportLine } = await import('./book-check');
      const reports = await checkBook(options.out);
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
