import { existsSync, mkdirSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readAssignmentFile } from '../homework/assignment';
import { studentVersion } from '../homework/studentVersion';

/** What `maml-lab assign` wrote. */
export interface AssignResult {
  file: string;
  questions: { gradeId: string; points: number }[];
  totalPoints: number;
  stubs: number;
  hiddenRegions: number;
}

/** The same file, or both absent: compared after resolving links, so that OUTDIR/x can never be SRC itself. */
function sameFile(a: string, b: string): boolean {
  return existsSync(a) && existsSync(b) && realpathSync(a) === realpathSync(b);
}

/**
 * Writes the student version of the assignment `source` to `outDir` under the source's file name: reads
 * and checks the source, refuses to overwrite an existing file unless `force` (and never the source
 * itself), and writes through a temporary file so that a failure leaves no half-written notebook. The
 * source is only read.
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import path from 'node:path';
 * import { writeStudentVersion } from './assign';
 * const dir = mkdtempSync(path.join(tmpdir(), 'assign-'));
 * const nbgrader = (m: object) => ({ nbgrader: { schema_version: 3, ...m } });
 * writeFileSync(path.join(dir, 'hw.ipynb'), JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'tslab' } }, cells: [
 *   { cell_type: 'code', source: '// BEGIN SOLUTION\nconst y = 2;\n// END SOLUTION', metadata: nbgrader({ solution: true, grade: false, locked: false, grade_id: 'q1-answer' }), outputs: [], execution_count: null },
 * ] }));
 * writeStudentVersion(path.join(dir, 'hw.ipynb'), path.join(dir, 'student')).stubs; // 1
 */
export function writeStudentVersion(source: string, outDir: string, options: { force?: boolean } = {}): AssignResult {
  const { assignment } = readAssignmentFile(source);
  const student = studentVersion(assignment.notebook);
  const file = path.join(outDir, path.basename(source));
  if (sameFile(file, source)) throw new Error(`${file} is the source itself; choose another OUTDIR`);
  if (existsSync(file) && !options.force) throw new Error(`${file} exists; pass --force to overwrite it`);
  mkdirSync(outDir, { recursive: true });
  const partial = `${file}.partial-${process.pid}`;
  writeFileSync(partial, `${JSON.stringify(student, null, 1)}\n`);
  renameSync(partial, file);
  return {
    file,
    questions: assignment.questions.map(({ gradeId, points }) => ({ gradeId, points })),
    totalPoints: assignment.totalPoints,
    stubs: assignment.cells.reduce((s, c) => s + c.solutions.length, 0),
    hiddenRegions: assignment.cells.reduce((s, c) => s + c.hiddenTests.length, 0),
  };
}
