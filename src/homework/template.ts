import type { Notebook, NotebookCell } from './nbformat';

/*
 * A new assignment, written out: what `maml-lab new` saves. It is the format's documentation by example,
 * with nbgrader's metadata on every cell so that no toolbar is needed, and it passes `maml-lab lint` as it
 * stands (test/homework-assign.test.ts lints it).
 */

function cell(id: string, type: 'markdown' | 'code', source: string, nbgrader?: Record<string, unknown>): NotebookCell {
  const metadata = nbgrader ? { nbgrader: { schema_version: 3, ...nbgrader } } : {};
  return type === 'code' ? { cell_type: 'code', id, metadata, execution_count: null, outputs: [], source } : { cell_type: 'markdown', id, metadata, source };
}

const locked = (gradeId: string) => ({ grade: false, solution: false, locked: true, grade_id: gradeId });

/** The cells of question `n` of a new assignment: prompt, tests, answer, check, grade. */
function questionCells(n: number): NotebookCell[] {
  const q = `q${n}`;
  return [
    cell(`${q}-prompt`, 'markdown', `## Question ${n} · The mean (2 points)\n\nWrite \`mean${n}(xs)\`: the mean of a list of numbers, $\\frac{1}{P}\\sum_i x_i$.`),
    cell(`${q}-tests`, 'code', [
      `// How the answer is called on a test's input (plain data), and the public tests: each judges the value`,
      `// the call returns, with expected values it computes itself (public tests never see the reference).`,
      `const ${q} = question('${q}', {`,
      `  call: (mean: (xs: number[]) => number, xs: number[]) => mean(xs),`,
      `  tests: [test('the mean of [1, 2, 6] is 3', 1, [1, 2, 6], (value: number) => expect.near(value, 3, { absolute: 1e-12 }))],`,
      `  hints: ['add the numbers up, then divide', 'divide by the number of entries, xs.length'],`,
      `  banned: ['referenceMean'],`,
      `});`,
    ].join('\n'), locked(`${q}-tests`)),
    cell(`${q}-answer`, 'code', [
      `function mean${n}(xs: number[]): number {`,
      `  // BEGIN SOLUTION`,
      `  return xs.reduce((a, b) => a + b, 0) / xs.length;`,
      `  // END SOLUTION`,
      `}`,
    ].join('\n'), { grade: false, solution: true, locked: false, grade_id: `${q}-answer` }),
    cell(`${q}-check`, 'code', `await check(${q}, mean${n});`),
    cell(q, 'code', [
      `await grade(${q}, () => mean${n}, [`,
      `  // BEGIN HIDDEN TESTS`,
      `  // Hidden tests are judged against what the solution above returns on the same input (reference).`,
      `  test('the mean of other data', 1, seeded((seed) => [seed % 7, 2, 10]), (value: number, { reference }) => expect.near(value, reference, { absolute: 1e-12 })),`,
      `  // Wrong answers lint proves the tests reject (students never see this region).`,
      `  mistake('the sum where the mean is asked', (xs: number[]) => xs.reduce((a, b) => a + b, 0), { public: true }),`,
      `  // END HIDDEN TESTS`,
      `]);`,
    ].join('\n'), { grade: true, solution: false, locked: true, grade_id: q, points: 2 }),
  ];
}

/**
 * A new assignment with `questions` questions, each a complete example (prompt, public tests, answer with
 * its solution region inside the function, check, grade cell with hidden tests and a declared mistake),
 * for the tslab kernel, with nbgrader's metadata and cell ids on every cell.
 *
 * @example
 * import { assignmentTemplate, readAssignment } from 'maml-lab/homework';
 * readAssignment(assignmentTemplate('Homework 4', 2)).totalPoints; // 4
 */
export function assignmentTemplate(title: string, questions = 1): Notebook {
  if (!Number.isInteger(questions) || questions < 1 || questions > 50) throw new RangeError(`the number of questions must be a whole number from 1 to 50, got ${questions}`);
  const cells: NotebookCell[] = [
    cell('title', 'markdown', `# ${title}\n\nEach question has an answer cell (write your code where it throws "not implemented yet"), a \`check(...)\` cell that runs its public tests, and a grade cell to leave as it is.`),
    cell('setup', 'code', [
      `import { question, test, expect, mistake, seeded } from 'maml-lab/homework';`,
      `import { check, grade } from 'maml-lab/notebook';`,
      `// A helper the answers may not call (each question's \`banned\` says so; the grader reads the source).`,
      `const referenceMean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;`,
    ].join('\n'), locked('setup')),
  ];
  for (let n = 1; n <= questions; n++) cells.push(...questionCells(n));
  return { nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' }, language_info: { name: 'typescript' } }, cells };
}
