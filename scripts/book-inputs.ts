/**
 * What a book was built from, so that `npm run book -- --check` right after `npm run book` checks the
 * book already there instead of executing every notebook again: a digest of every file the pages depend
 * on (the notebooks and what sits beside them, the built package, the stored runs, the book's own code
 * and template, the lockfile, the Markdown files copied into the book) and of the engine settings.
 * `buildBook` writes it last, so a book that has it is complete.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from './jupyter';

/** The file in a book folder that records its inputs. */
export const INPUTS_FILE = '.maml-lab-book-inputs.json';

/** The environment variables that change what a notebook computes or prints. */
const SETTINGS = ['MAML_LAB_BACKEND', 'MAML_LAB_ENGINE', 'MAML_LAB_THREADS'] as const;

/** The project's files and folders a book depends on, besides the notebooks' own folder. */
const PROJECT_INPUTS = ['dist', 'results', 'scripts/book.ts', 'scripts/book-pages.ts', 'scripts/book-index.ts', 'scripts/book-template', 'package-lock.json', 'README.md', 'bench/README.md'];

/** What `inputs` records. */
export interface BookInputs {
  digest: string;
  files: number;
  settings: Record<string, string>;
}

function filesUnder(entry: string): string[] {
  if (!fs.existsSync(entry)) return [];
  if (!fs.statSync(entry).isDirectory()) return [entry];
  return fs
    .readdirSync(entry, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.') && e.name !== 'node_modules')
    .flatMap((e) => filesUnder(path.join(entry, e.name)));
}

/**
 * The digest of a book's inputs for these notebooks (their whole folder is read: ANSWERS.md, the
 * question map and the homework become pages too).
 *
 * @example
 * import { bookInputs } from './book-inputs';
 * bookInputs(['notebooks/01-bilevel-optimization.ipynb']).digest.length // 64
 */
export function bookInputs(notebooks: readonly string[]): BookInputs {
  const folders = [...new Set(notebooks.map((n) => path.dirname(path.resolve(n))))];
  const files = [...new Set([...notebooks.map((n) => path.resolve(n)), ...folders, ...PROJECT_INPUTS.map((p) => path.join(projectRoot, p))].flatMap(filesUnder))].sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${path.relative(projectRoot, file)}\0`);
    hash.update(fs.readFileSync(file));
    hash.update('\0');
  }
  const settings = Object.fromEntries(SETTINGS.map((name) => [name, process.env[name] ?? '']));
  hash.update(JSON.stringify(settings));
  // The notebooks asked for, in order: the same folder with another selection is another book.
  hash.update(JSON.stringify(notebooks.map((n) => path.resolve(n))));
  return { digest: hash.digest('hex'), files: files.length, settings };
}

/**
 * True when `out` holds a complete book built from exactly these inputs.
 *
 * @example
 * import os from 'node:os';
 * import { freshBook } from './book-inputs';
 * freshBook(os.tmpdir(), ['notebooks/01-bilevel-optimization.ipynb']) // false
 */
export function freshBook(out: string, notebooks: readonly string[]): boolean {
  const file = path.join(out, INPUTS_FILE);
  if (!fs.existsSync(file)) return false;
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as BookInputs).digest === bookInputs(notebooks).digest;
  } catch {
    return false;
  }
}
