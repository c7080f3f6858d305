import { cellSource, readAssignment, type Notebook } from '../src/homework';

/**
 * The lines (trimmed) inside every solution and hidden-test region of a source notebook, markers included,
 * that say something: lines of punctuation alone (`}`, `]);`) are in any program and prove nothing.
 * Shared by the tests of `maml-lab assign` and `maml-lab handout`.
 *
 * @example
 * const secrets = secretLines(JSON.parse(fs.readFileSync('notebooks/homework/02-fomaml.ipynb', 'utf8')));
 */
export function secretLines(source: Notebook): string[] {
  const assignment = readAssignment(source);
  return assignment.cells.flatMap((c) => {
    const lines = cellSource(source.cells[c.index]).split('\n');
    return [...c.solutions, ...c.hiddenTests].flatMap((r) => lines.slice(r.begin, r.end + 1));
  }).map((l) => l.trim()).filter((l) => /[A-Za-z0-9]/.test(l));
}
