import { cellSource, readAssignment, type Notebook } from '../src/homework';

/**
 * The lines (trimmed) inside the solution and hidden-test regions of a source notebook, markers included,
 * that appear nowhere else in it and say something: lines of punctuation alone (`}`, `]);`) are in any program and prove nothing.
 * Shared by the tests of `maml-lab assign` and `maml-lab handout`.
 *
 * @example
 * const secrets = secretLines(JSON.parse(fs.readFileSync('notebooks/homework/02-fomaml.ipynb', 'utf8')));
 */
export function secretLines(source: Notebook): string[] {
  const assignment = readAssignment(source);
  const inside = new Set<string>();
  const outside = new Set<string>();
  for (const c of assignment.cells) {
    const lines = cellSource(source.cells[c.index]).split('\n');
    const regions = [...c.solutions, ...c.hiddenTests];
    lines.forEach((line, i) => (regions.some((r) => i >= r.begin && i <= r.end) ? inside : outside).add(line.trim()));
  }
  // A line the source also shows outside every region (a public test and a hidden one may share a line) is
  // public already: its presence in the student version reveals nothing.
  return [...inside].filter((l) => /[A-Za-z0-9]/.test(l) && !outside.has(l));
}
