/**
 * Which pages the book has, besides the executed notebooks (its chapters): found next to the notebooks.
 *
 * - ANSWERS.md, the thread's questions answered: the first page, before the chapters.
 * - README.md, the question map ("Where each question is answered"): questions.html.
 * - homework/README.md (homework.html) and each assignment in homework/ as its student version
 *   (`studentVersion`: no solutions, no hidden tests), shown as it is given out, not executed.
 * - Every other Markdown file these pages or the chapters link to (the project's README, the bench's), as
 *   a rendered copy, so that no link leads out of the book. Links from those copies to files the book does
 *   not have become plain text (see `bookLinks`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { studentVersion } from '../src/homework/studentVersion';

/** One page of the book. */
export interface BookPage {
  /** The file it is made from (absolute): a notebook or a Markdown file. */
  source: string;
  /** Its HTML file name in the book folder. */
  file: string;
  title: string;
  /**
   * 'chapter': a notebook executed for the book, in reading order; 'guide': a Markdown page;
   * 'homework': an assignment's student version, as given out (not executed).
   */
  kind: 'chapter' | 'guide' | 'homework';
}

/** A notebook's file, as JSON, with the cells the book reads. */
export interface NotebookJson {
  cells?: { cell_type: string; source: string | string[] }[];
  metadata?: Record<string, unknown>;
}

/** The file next to the notebooks whose Markdown answers the thread's questions: the book's first page. */
export const ANSWERS_FILE = 'ANSWERS.md';

/** ANSWERS.md's page: the book's first page, before the chapters. */
export const ANSWERS_PAGE = 'ANSWERS.html';

/** The question map next to the notebooks, and its page. */
export const QUESTION_MAP_FILE = 'README.md';
export const QUESTION_MAP_PAGE = 'questions.html';

/** The homework folder next to the notebooks, and the page of its README. */
export const HOMEWORK_DIR = 'homework';
export const HOMEWORK_PAGE = 'homework.html';

/** A cell's source as one string (nbformat allows a list of lines). */
export function cellText(source: string | string[]): string {
  return Array.isArray(source) ? source.join('') : source;
}

/**
 * A notebook's title: the text of its first Markdown heading ("# 1 · Bi-level optimisation" gives
 * "1 · Bi-level optimisation"), else its file name without its extension.
 *
 * @example
 * import { notebookTitle } from './book-pages';
 * notebookTitle({ cells: [{ cell_type: 'markdown', source: '## 3 · First-order MAML' }] }, 'x/03.ipynb') // "3 · First-order MAML"
 */
export function notebookTitle(notebook: NotebookJson, file: string): string {
  for (const cell of notebook.cells ?? []) {
    if (cell.cell_type !== 'markdown') continue;
    const heading = /^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$/m.exec(cellText(cell.source));
    if (heading) return heading[1];
  }
  return path.basename(file, path.extname(file));
}

/**
 * A Markdown file as a one-cell notebook, so nbconvert exports it with the book's template.
 *
 * @example
 * import { markdownNotebook } from './book-pages';
 * markdownNotebook('# Title').cells.length // 1
 */
export function markdownNotebook(markdown: string): NotebookJson & { cells: { cell_type: string; id: string; metadata: object; source: string }[] } {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript (tslab)', language: 'typescript' } },
    cells: [{ cell_type: 'markdown', id: 'page', metadata: {}, source: markdown }],
  } as never;
}

/**
 * Text with its %-escapes read, or as it is when they do not parse. Authors mostly write links unescaped;
 * nbconvert writes heading ids escaped; the book compares the two read.
 *
 * @example
 * import { percentDecoded } from './book-pages';
 * percentDecoded('2-%C2%B7-The-meta-gradient') // "2-·-The-meta-gradient"
 * percentDecoded('100%') // "100%"
 */
export function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A Markdown link (not an image): its text and its target. */
const MARKDOWN_LINK = /(?<!!)\[([^[\]]*)\]\(([^()\s]+)\)/g;

/**
 * A link target that names a local file: the file (resolved against `source`'s folder) and the anchor part
 * ('#…', or ''). Undefined for web and mail links and anchors on the same page.
 */
function localTarget(target: string, source: string): { file: string; hash: string } | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) return undefined;
  const at = target.indexOf('#');
  return { file: path.resolve(path.dirname(source), percentDecoded(at < 0 ? target : target.slice(0, at))), hash: at < 0 ? '' : target.slice(at) };
}

/**
 * The relative links of a page's Markdown, made links inside the book. `source` is the file the Markdown
 * comes from (links are relative to its folder) and `pages` maps each source file in the book (absolute
 * path) to its page: a link to one of them becomes a link to that page, anchor kept; a link to any other
 * local file, which the book does not have, becomes its plain text. Web links, mail links and anchors on
 * the same page stay as they are; images are left alone.
 *
 * @example
 * import { bookLinks } from './book-pages';
 * const pages = new Map([['/n/02-chain-rule.ipynb', '02-chain-rule.html']]);
 * bookLinks('[02](02-chain-rule.ipynb#Notation), [src](../src/a.ts), [web](https://x.org)', '/n/01.ipynb', pages);
 * // "[02](02-chain-rule.html#Notation), src, [web](https://x.org)"
 */
export function bookLinks(markdown: string, source: string, pages: ReadonlyMap<string, string>): string {
  return markdown.replace(MARKDOWN_LINK, (link, text: string, target: string) => {
    const local = localTarget(target, source);
    if (local === undefined) return link;
    const page = pages.get(local.file);
    return page === undefined ? text : `[${text}](${page}${local.hash})`;
  });
}

/** The relative link targets (files, anchors cut) of some Markdown, resolved against `source`'s folder. */
function linkedFiles(markdown: string, source: string): string[] {
  return [...markdown.matchAll(MARKDOWN_LINK)].flatMap(([, , target]) => localTarget(target, source)?.file ?? []);
}

/** The Markdown of a page's source: a Markdown file's text, or a notebook's Markdown cells. */
export function pageMarkdown(source: string): string {
  const text = fs.readFileSync(source, 'utf8');
  if (!source.endsWith('.ipynb')) return text;
  const notebook = JSON.parse(text) as NotebookJson;
  return (notebook.cells ?? []).filter((c) => c.cell_type === 'markdown').map((c) => cellText(c.source)).join('\n\n');
}

/** A rendered copy's page name: its path from the notebooks' parent, folders joined by '-'. */
function copyPageName(file: string, notebooksDir: string): string {
  const relative = path.relative(path.dirname(notebooksDir), file).replace(/^(\.\.\/)+/, '');
  return `about-${relative.replace(/\.md$/, '').replace(/[/\\]/g, '-')}.html`;
}

/**
 * The pages beside the chapters (see the top of this file), for notebooks in `notebooksDir`, with the
 * chapters' sources given so that the Markdown files they link to are found too. ANSWERS first.
 */
export function companionPages(notebooksDir: string, chapterSources: readonly string[]): BookPage[] {
  const pages: BookPage[] = [];
  const guide = (source: string, file: string): void => {
    pages.push({ source, file, title: notebookTitle(markdownNotebook(fs.readFileSync(source, 'utf8')), source), kind: 'guide' });
  };
  const answers = path.join(notebooksDir, ANSWERS_FILE);
  if (fs.existsSync(answers)) guide(answers, ANSWERS_PAGE);
  const map = path.join(notebooksDir, QUESTION_MAP_FILE);
  if (fs.existsSync(map)) guide(map, QUESTION_MAP_PAGE);
  const homework = path.join(notebooksDir, HOMEWORK_DIR);
  if (fs.existsSync(path.join(homework, 'README.md'))) guide(path.join(homework, 'README.md'), HOMEWORK_PAGE);
  if (fs.existsSync(homework)) {
    for (const name of fs.readdirSync(homework).filter((f) => f.endsWith('.ipynb')).sort()) {
      const source = path.join(homework, name);
      const notebook = JSON.parse(fs.readFileSync(source, 'utf8')) as NotebookJson;
      pages.push({ source, file: `homework-${path.basename(name, '.ipynb')}.html`, title: notebookTitle(notebook, source), kind: 'homework' });
    }
  }
  // One level of rendered copies: the Markdown files the pages so far link to.
  const known = new Set([...chapterSources, ...pages.map((p) => p.source)]);
  for (const source of [...chapterSources, ...pages.map((p) => p.source)]) {
    for (const file of linkedFiles(pageMarkdown(source), source)) {
      if (known.has(file) || !file.endsWith('.md') || !fs.existsSync(file)) continue;
      known.add(file);
      guide(file, copyPageName(file, notebooksDir));
    }
  }
  return pages;
}

/**
 * A page's notebook as the book exports it: a chapter as executed (given), a guide as a one-cell
 * notebook, an assignment as its student version.
 */
export function pageNotebook(page: BookPage, executed?: NotebookJson): NotebookJson {
  if (page.kind === 'chapter') {
    if (executed === undefined) throw new Error(`${page.source}: a chapter needs its executed notebook`);
    return executed;
  }
  if (page.kind === 'homework') return studentVersion(JSON.parse(fs.readFileSync(page.source, 'utf8'))) as NotebookJson;
  return markdownNotebook(fs.readFileSync(page.source, 'utf8'));
}

/**
 * The questions of the question map (a Markdown table: question | notebook → section), grouped by the
 * page of the first notebook each row links to, as plain text: what the contents say each chapter answers.
 *
 * @example
 * import { questionsByPage } from './book-pages';
 * const map = '| question | where |\n|---|---|\n| Why is *this* I? | [02](02-chain-rule.ipynb) → *Stuck point 2* |\n';
 * questionsByPage(map, '/n/README.md', new Map([['/n/02-chain-rule.ipynb', '02-chain-rule.html']])).get('02-chain-rule.html') // ["Why is this I?"]
 */
export function questionsByPage(markdown: string, source: string, pages: ReadonlyMap<string, string>): Map<string, string[]> {
  const byPage = new Map<string, string[]>();
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // | question | where | → ['', question, where, '']
    if (cells.length < 4 || cells[0] !== '' || /^-+$/.test(cells[1]) || cells[1] === 'question') continue;
    const target = linkedFiles(cells[2], source)[0];
    const page = target === undefined ? undefined : pages.get(target);
    if (page === undefined) continue;
    const question = cells[1].replace(/\[([^[\]]*)\]\([^()\s]*\)/g, '$1').replace(/[*`_]/g, '');
    byPage.set(page, [...(byPage.get(page) ?? []), question]);
  }
  return byPage;
}
