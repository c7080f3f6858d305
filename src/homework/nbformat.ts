/*
 * The little of nbformat v4 that assignments need: a notebook's cells, their source as one string, and a
 * cell's source replaced in the form it was stored (a string or a list of lines).
 */

/** A notebook cell as stored in a .ipynb file (nbformat v4); unknown fields are kept as they are. */
export interface NotebookCell {
  cell_type: string;
  source: string | string[];
  metadata?: Record<string, unknown>;
  outputs?: unknown[];
  execution_count?: number | null;
  [field: string]: unknown;
}

/** A notebook as stored in a .ipynb file (nbformat v4). */
export interface Notebook {
  nbformat: number;
  nbformat_minor?: number;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
  [field: string]: unknown;
}

/**
 * The notebook, if `x` has the shape of an nbformat v4 notebook (cells with a type and a source); otherwise a
 * sentence saying what it is instead.
 *
 * @example
 * import { notebookOrProblem } from 'maml-lab/homework';
 * notebookOrProblem({ cells: [] }); // "not a notebook: nbformat is missing (expected 4)"
 */
export function notebookOrProblem(x: unknown): Notebook | string {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return `not a notebook: expected a JSON object, got ${Array.isArray(x) ? 'an array' : typeof x}`;
  const nb = x as Partial<Notebook>;
  if (nb.nbformat !== 4) return `not a notebook: nbformat is ${nb.nbformat === undefined ? 'missing' : JSON.stringify(nb.nbformat)} (expected 4)`;
  if (!Array.isArray(nb.cells)) return 'not a notebook: it has no list of cells';
  const bad = nb.cells.findIndex((c) => typeof c !== 'object' || c === null || typeof c.cell_type !== 'string' || !(typeof c.source === 'string' || Array.isArray(c.source)));
  if (bad >= 0) return `not a notebook: cell ${bad + 1} has no cell_type or source`;
  if (typeof nb.metadata !== 'object' || nb.metadata === null) return 'not a notebook: it has no metadata';
  return nb as Notebook;
}

/**
 * A cell's source as one string, whichever way it is stored.
 *
 * @example
 * import { cellSource } from 'maml-lab/homework';
 * cellSource({ cell_type: 'code', source: ['a = 1\n', 'b = 2'] }).split('\n'); // ["a = 1", "b = 2"]
 */
export function cellSource(cell: NotebookCell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

/**
 * The source `text` in the form `like` is stored: a string, or nbformat's list of lines, each ending in a newline
 * but the last.
 *
 * @example
 * import { storedSource } from 'maml-lab/homework';
 * storedSource('a\nb', ['x']).length; // 2: ["a\n", "b"], as nbformat stores lines
 * typeof storedSource('a\nb', 'x'); // "string"
 */
export function storedSource(text: string, like: string | string[]): string | string[] {
  if (!Array.isArray(like)) return text;
  return text === '' ? [] : text.split(/(?<=\n)/);
}
