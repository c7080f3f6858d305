import { readFileSync } from 'node:fs';
import { MARKERS, markedRegions, type Region } from './markers';
import { cellSource, notebookOrProblem, type Notebook, type NotebookCell } from './nbformat';

/*
 * The assignment format: a tslab notebook whose cells carry nbgrader's metadata (`metadata.nbgrader`,
 * schema_version 3). Reading one checks everything that can be checked without running it, and reports
 * every problem at once, each naming its cell (counted from 1) and grade_id.
 */

/** What a cell is in an assignment (see `cellKind`). */
export type CellKind = 'solution' | 'grade' | 'locked' | 'free';

/** nbgrader's cell metadata, in the fields this project uses. */
export interface NbgraderMetadata {
  grade: boolean;
  solution: boolean;
  locked: boolean;
  grade_id: string;
  points?: number;
  schema_version: number;
}

/** One cell of an assignment: where it is, what it is, and its regions. */
export interface AssignmentCell {
  /** 0-based index in the notebook's cells. */
  index: number;
  kind: CellKind;
  gradeId?: string;
  /** A grade cell's points. */
  points?: number;
  /** A solution cell's `BEGIN SOLUTION … END SOLUTION` regions. */
  solutions: Region[];
  /** A grade cell's `BEGIN HIDDEN TESTS … END HIDDEN TESTS` regions. */
  hiddenTests: Region[];
}

/** An assignment, read and checked: the notebook, its cells, and its graded questions in order. */
export interface Assignment {
  notebook: Notebook;
  cells: AssignmentCell[];
  questions: { gradeId: string; points: number; index: number }[];
  totalPoints: number;
}

/** An assignment that breaks the format: every problem found, one sentence each. */
export class AssignmentError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'AssignmentError';
  }
}

/**
 * A cell's nbgrader metadata, or undefined for a cell without any.
 *
 * @example
 * import { nbgraderMetadata } from 'maml-lab/homework';
 * nbgraderMetadata({ cell_type: 'code', source: '', metadata: { nbgrader: { grade: true, grade_id: 'q1' } } })?.grade_id; // "q1"
 */
export function nbgraderMetadata(cell: NotebookCell): Partial<NbgraderMetadata> | undefined {
  const nb = cell.metadata?.nbgrader;
  return typeof nb === 'object' && nb !== null ? (nb as Partial<NbgraderMetadata>) : undefined;
}

/**
 * What a cell is: `solution` (the student edits it), `grade` (autograded tests), `locked` (read-only:
 * setup, questions) or `free` (no nbgrader metadata: prose, scratch code). A cell marked both solution and
 * grade counts as a grade cell here; `readAssignment` rejects it.
 *
 * @example
 * import { cellKind } from 'maml-lab/homework';
 * cellKind({ cell_type: 'code', source: '', metadata: { nbgrader: { solution: true, grade: false, locked: false, grade_id: 'q1-answer' } } }); // "solution"
 * cellKind({ cell_type: 'markdown', source: '# Title' }); // "free"
 */
export function cellKind(cell: NotebookCell): CellKind {
  const nb = nbgraderMetadata(cell);
  if (!nb) return 'free';
  if (nb.grade === true) return 'grade';
  if (nb.solution === true) return 'solution';
  return nb.locked === true ? 'locked' : 'free';
}

function where(index: number, gradeId: string | undefined): string {
  return `cell ${index + 1}${gradeId ? ` (grade_id ${gradeId})` : ''}`;
}

/** The cell as an AssignmentCell, and the problems it has on its own. */
function readCell(cell: NotebookCell, index: number): { cell: AssignmentCell; problems: string[] } {
  const nb = nbgraderMetadata(cell);
  const kind = cellKind(cell);
  const gradeId = typeof nb?.grade_id === 'string' && nb.grade_id !== '' ? nb.grade_id : undefined;
  const at = where(index, gradeId);
  const problems: string[] = [];
  if (nb) {
    if (!gradeId) problems.push(`${at}: its nbgrader metadata has no grade_id`);
    if (nb.schema_version !== 3) problems.push(`${at}: nbgrader schema_version must be 3, got ${JSON.stringify(nb.schema_version)}`);
    if (nb.grade === true && nb.solution === true) problems.push(`${at}: a cell is a solution or a grade cell, not both (answers graded by hand are not supported)`);
  }
  const source = cellSource(cell);
  const isCode = cell.cell_type === 'code';
  const solutions = isCode ? markedRegions(source, MARKERS.solution) : [];
  const hiddenTests = isCode ? markedRegions(source, MARKERS.hiddenTests) : [];
  if (typeof solutions === 'string') problems.push(`${at}: unbalanced solution markers: ${solutions}`);
  if (typeof hiddenTests === 'string') problems.push(`${at}: unbalanced hidden-test markers: ${hiddenTests}`);
  const solutionRegions = typeof solutions === 'string' ? [] : solutions;
  const hiddenRegions = typeof hiddenTests === 'string' ? [] : hiddenTests;
  if (kind === 'solution') {
    if (!isCode) problems.push(`${at}: a solution cell must be a code cell (answers in prose are graded by hand, which this grader does not do)`);
    else if (typeof solutions !== 'string' && solutions.length === 0) problems.push(`${at}: a solution cell needs // BEGIN SOLUTION … // END SOLUTION around the solution, or the student version would contain it`);
  } else if (solutionRegions.length > 0) {
    problems.push(`${at}: solution markers in a ${kind} cell; mark the cell as a solution cell (solution: true), or the grader would hand the solution back from the source`);
  }
  let points: number | undefined;
  if (kind === 'grade') {
    if (!isCode) problems.push(`${at}: a grade cell must be a code cell`);
    if (typeof nb?.points !== 'number' || !Number.isFinite(nb.points) || nb.points <= 0) problems.push(`${at}: a grade cell needs points > 0 in its metadata, got ${JSON.stringify(nb?.points)}`);
    else points = nb.points;
    if (isCode && !/\bgrade\s*\(/.test(source)) problems.push(`${at}: a grade cell must call grade(question, () => answer, [hidden tests])`);
  } else if (hiddenRegions.length > 0) {
    problems.push(`${at}: hidden-test markers in a ${kind} cell; hidden tests belong in grade cells (grade: true)`);
  }
  return { cell: { index, kind, gradeId, points, solutions: solutionRegions, hiddenTests: hiddenRegions }, problems };
}

/**
 * Reads and checks an assignment's source notebook: a notebook (nbformat 4) for the tslab kernel, every
 * nbgrader cell with a unique grade_id and schema_version 3, solution markers balanced and only in solution
 * cells (each of which has some), hidden-test markers balanced and only in grade cells, each grade cell
 * with points > 0 and a `grade(...)` call. Throws an `AssignmentError` listing every problem, each naming
 * its cell (from 1) and grade_id. Whether a question's points equal its tests' points can only be seen by
 * running the source; the grader's reference run checks that.
 *
 * @example
 * import { readAssignment } from 'maml-lab/homework';
 * const nbgrader = (m: object) => ({ nbgrader: { schema_version: 3, ...m } });
 * const assignment = readAssignment({
 *   nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'tslab' } },
 *   cells: [
 *     { cell_type: 'code', source: 'const x = 1;\n// BEGIN SOLUTION\nconst y = 2;\n// END SOLUTION', metadata: nbgrader({ solution: true, grade: false, locked: false, grade_id: 'q1-answer' }) },
 *     { cell_type: 'code', source: 'await grade(q1, () => y, []);', metadata: nbgrader({ solution: false, grade: true, locked: true, grade_id: 'q1', points: 2 }) },
 *   ],
 * });
 * assignment.totalPoints; // 2
 */
export function readAssignment(notebook: unknown): Assignment {
  const nb = notebookOrProblem(notebook);
  if (typeof nb === 'string') throw new AssignmentError([nb]);
  const problems: string[] = [];
  const kernel = (nb.metadata.kernelspec as { name?: unknown } | undefined)?.name;
  if (kernel !== 'tslab') problems.push(`the notebook is for the kernel ${JSON.stringify(kernel ?? null)}, not tslab (metadata.kernelspec.name must be "tslab")`);
  const cells = nb.cells.map((cell, index) => {
    const read = readCell(cell, index);
    problems.push(...read.problems);
    return read.cell;
  });
  const firstWith = new Map<string, number>();
  for (const c of cells) {
    if (!c.gradeId) continue;
    const first = firstWith.get(c.gradeId);
    if (first === undefined) firstWith.set(c.gradeId, c.index);
    else problems.push(`${where(c.index, c.gradeId)}: grade_id ${c.gradeId} is already used by cell ${first + 1}; every grade_id must be unique`);
  }
  if (problems.length > 0) throw new AssignmentError(problems);
  const questions = cells.filter((c) => c.kind === 'grade').map((c) => ({ gradeId: c.gradeId as string, points: c.points as number, index: c.index }));
  return { notebook: nb, cells, questions, totalPoints: questions.reduce((s, q) => s + q.points, 0) };
}

/**
 * Reads and checks the assignment in `file`, and returns it with the file's bytes (the grader hashes
 * them). Every error names the file: unreadable, not JSON, or the problems `readAssignment` finds.
 *
 * @example
 * import fs from 'node:fs';
 * import os from 'node:os';
 * import path from 'node:path';
 * import { readAssignmentFile } from 'maml-lab/homework';
 * const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hw-')), 'hw.ipynb');
 * fs.writeFileSync(file, '{ not json');
 * let message = '';
 * try { readAssignmentFile(file); } catch (e) { message = (e as Error).message; }
 * message.endsWith('is not a notebook: it is not valid JSON'); // true
 */
export function readAssignmentFile(file: string): { assignment: Assignment; bytes: Buffer } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  let notebook: unknown;
  try {
    notebook = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error(`${file} is not a notebook: it is not valid JSON`);
  }
  try {
    return { assignment: readAssignment(notebook), bytes };
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}
