import { readAssignment, type AssignmentCell } from './assignment';
import type { Region } from './markers';
import { cellSource, storedSource, type Notebook, type NotebookCell } from './nbformat';

/**
 * The line that replaces a solution region: a throw that says which answer is missing, at the marker's
 * indentation, so that it stands wherever the solution stood (a function body or a cell's top level) and
 * type-checks under tslab's TypeScript 5.0.
 *
 * @example
 * import { solutionStub } from 'maml-lab/homework';
 * solutionStub('q1-answer', '  '); // '  throw new Error("q1-answer: not implemented yet — replace this line with your solution");'
 */
export function solutionStub(gradeId: string, indentation: string): string {
  return `${indentation}throw new Error(${JSON.stringify(`${gradeId}: not implemented yet — replace this line with your solution`)});`;
}

/** `lines` with every region replaced by what `replacement` gives for it (nothing to delete it). */
function replaceRegions(lines: readonly string[], regions: readonly Region[], replacement: (region: Region) => string[]): string[] {
  const out: string[] = [];
  let next = 0;
  for (const region of regions) {
    out.push(...lines.slice(next, region.begin), ...replacement(region));
    next = region.end + 1;
  }
  return [...out, ...lines.slice(next)];
}

function studentCell(cell: NotebookCell, read: AssignmentCell): NotebookCell {
  const copy: NotebookCell = structuredClone(cell);
  if (copy.cell_type === 'code') {
    copy.outputs = [];
    copy.execution_count = null;
  }
  const lines = cellSource(cell).split('\n');
  let edited: string[] | undefined;
  if (read.kind === 'solution') {
    edited = replaceRegions(lines, read.solutions, (r) => [solutionStub(read.gradeId as string, /^\s*/.exec(lines[r.begin])?.[0] ?? '')]);
  } else if (read.kind === 'grade') {
    edited = replaceRegions(lines, read.hiddenTests, () => []);
  }
  if (edited) copy.source = storedSource(edited.join('\n'), cell.source);
  return copy;
}

/**
 * The student version of an assignment's source: every solution region replaced by a stub that throws
 * "not implemented yet" (`solutionStub`), every hidden-test region removed with its markers, every
 * output and execution count cleared; metadata (nbgrader's included) kept. The source is checked first
 * (`readAssignment`; an `AssignmentError` lists its problems) and never modified.
 *
 * @example
 * import { cellSource, studentVersion } from 'maml-lab/homework';
 * const nbgrader = (m: object) => ({ nbgrader: { schema_version: 3, ...m } });
 * const source = {
 *   nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'tslab' } },
 *   cells: [
 *     { cell_type: 'code', source: 'function twice(x: number): number {\n  // BEGIN SOLUTION\n  return 2 * x;\n  // END SOLUTION\n}', metadata: nbgrader({ solution: true, grade: false, locked: false, grade_id: 'q1-answer' }), outputs: [], execution_count: 3 },
 *     { cell_type: 'code', source: 'await grade(q1, () => twice, [\n  // BEGIN HIDDEN TESTS\n  test("doubles 4", 1, (f: (x: number) => number) => expect.equals(f(4), 8)),\n  // END HIDDEN TESTS\n]);', metadata: nbgrader({ solution: false, grade: true, locked: true, grade_id: 'q1', points: 1 }), outputs: [], execution_count: 4 },
 *   ],
 * };
 * const student = studentVersion(source);
 * cellSource(student.cells[0]).split('\n')[1].trim(); // 'throw new Error("q1-answer: not implemented yet — replace this line with your solution");'
 * cellSource(student.cells[1]).split('\n'); // ["await grade(q1, () => twice, [", "]);"]
 * student.cells[0].execution_count; // null
 */
export function studentVersion(notebook: unknown): Notebook {
  const assignment = readAssignment(notebook);
  const nb = assignment.notebook;
  return { ...structuredClone(nb), cells: nb.cells.map((cell, i) => studentCell(cell, assignment.cells[i])) };
}
