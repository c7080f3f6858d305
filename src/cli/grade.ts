import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkOutDir, gradeClass, mergeGradings, readGrading, writeGrading, type ClassGrading } from '../homework/gradeClass';
import { parseShard } from '../homework/shard';
import type { NotebookExecutor } from '../homework/executor';
import { executeNotebook, sandboxProblem } from '../notebook/execute';
import { packageRoot } from '../notebook/venv';

/** A usage mistake in `grade`; the CLI prints it with the usage (exit 2). */
export class GradeUsageError extends Error {}

function positiveNumber(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!(n > 0) || !Number.isFinite(n)) throw new GradeUsageError(`--${flag} must be a positive number, got ${JSON.stringify(raw)}`);
  return n;
}

/**
 * What a submission's kernel must not see: the source, every submission and --out, and the folders that
 * hold the source and the submissions (an instructor keeps other assignments' solutions beside this one),
 * unless such a folder holds the package or the temporary folders the kernels run in, which they need.
 *
 * @example
 * import { hiddenPaths } from './grade';
 * hiddenPaths('/course/hw1.ipynb', ['/course/subs/a.ipynb', '/course/subs/b.ipynb'], '/course/out'); // ["/course"]
 */
export function hiddenPaths(source: string, submissions: readonly string[], out: string): string[] {
  const inside = (dir: string, target: string) => !path.relative(dir, target).startsWith('..');
  const needed = [packageRoot, os.tmpdir()].map((p) => fs.realpathSync(p));
  const files = [source, ...submissions, out].map((p) => path.resolve(p));
  const folders = [...new Set([source, ...submissions].map((p) => path.dirname(path.resolve(p))))].filter((dir) => !needed.some((n) => inside(dir, n)));
  // Nothing inside a hidden folder is listed again: bubblewrap would mount into a folder it already blanked.
  const outer = folders.filter((dir) => !folders.some((other) => other !== dir && inside(other, dir)));
  return [...outer, ...files.filter((f) => !outer.some((dir) => inside(dir, f)))];
}

/** A flag's parse error is a usage mistake (exit 2), not a failure of grading. */
function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new GradeUsageError((error as Error).message);
  }
}

function summary(grading: ClassGrading, seconds: number, out: string): string {
  const n = grading.reports.length;
  const possible = grading.columns.questions.reduce((s, q) => s + q.points, 0);
  const perSubmission = n > 0 ? `, ${(seconds / n).toFixed(1)} s per submission` : '';
  return `graded ${n} submission${n === 1 ? '' : 's'} of ${grading.assignment} (${possible} points) in ${seconds.toFixed(1)} s${perSubmission}\n` +
    `gradebook: ${path.join(out, 'gradebook.csv')}; reports: ${path.join(out, 'reports')}/`;
}

/**
 * `maml-lab grade SRC.ipynb SUBMISSION... --out DIR` and `maml-lab grade --merge DIR... --out DIR`.
 * Progress goes to stderr, one line per submission; the gradebook and the reports go to --out.
 * Returns the exit code: 0 when every submission was graded (whatever the scores), 1 when the source
 * cannot be graded or --out cannot be written; throws GradeUsageError (exit 2) for a usage mistake, and for
 * `--isolation auto` (the default) where bubblewrap does not work.
 */
export async function gradeCommand(args: string[], signal?: AbortSignal): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      jobs: { type: 'string' },
      shard: { type: 'string' },
      merge: { type: 'boolean' },
      'cell-timeout': { type: 'string' },
      limit: { type: 'string' },
      isolation: { type: 'string' },
      force: { type: 'boolean' },
    },
  });
  if (values.out === undefined) throw new GradeUsageError('grade needs --out DIR (where gradebook.csv and the reports go)');
  const out = values.out;
  const started = performance.now();
  if (values.merge) {
    if (positionals.length === 0) throw new GradeUsageError('grade --merge needs the output folders of the shards');
    const merged = mergeGradings(positionals.map(readGrading));
    writeGrading(out, merged, { force: values.force });
    console.log(`merged ${positionals.length} shard${positionals.length === 1 ? '' : 's'}: ${merged.reports.length} students\ngradebook: ${path.join(out, 'gradebook.csv')}`);
    return 0;
  }
  const [source, ...submissions] = positionals;
  if (source === undefined || !source.endsWith('.ipynb')) throw new GradeUsageError('grade needs the assignment SRC.ipynb first, then the submissions');
  if (submissions.length === 0) throw new GradeUsageError('grade needs at least one submission after SRC.ipynb');
  const isolation = values.isolation ?? 'auto';
  if (isolation !== 'auto' && isolation !== 'bubblewrap' && isolation !== 'none') throw new GradeUsageError(`--isolation must be auto, bubblewrap or none, got ${JSON.stringify(isolation)}`);
  const jobs = positiveNumber('jobs', values.jobs, 2);
  if (!Number.isInteger(jobs)) throw new GradeUsageError(`--jobs must be a whole number, got ${values.jobs}`);
  const shard = values.shard === undefined ? undefined : usage(() => parseShard(values.shard as string));
  // A class is graded without a sandbox only when that is asked for by name: 'auto' that would fall back
  // is refused here, before any kernel runs, with the reason.
  if (isolation === 'auto') {
    const problem = await sandboxProblem();
    if (problem !== undefined) {
      throw new GradeUsageError(`cannot sandbox the students' kernels: ${problem}.\n` +
        'Install bubblewrap, or pass --isolation none to grade without a sandbox: each kernel can then read and ' +
        'write whatever this user can (only the limits on memory, processes, file size and output still apply).');
    }
  }
  if (isolation === 'none') {
    process.stderr.write('grading WITHOUT a sandbox (--isolation none): students\' code can read and write whatever this user can\n');
  }
  // Should bubblewrap stop working midway, 'auto' falls back for the runs that follow; said once, loudly.
  let noted = false;
  const execute: NotebookExecutor = async (notebook, options, signal) => {
    const run = await executeNotebook(notebook, options, signal);
    if (run.isolationNote !== undefined && !noted) {
      noted = true;
      process.stderr.write(`WARNING: ${run.isolationNote}; the kernels that follow run without a sandbox\n`);
    }
    return run;
  };
  // Before any kernel starts: a whole class's run must never be thrown away because --out was taken.
  checkOutDir(out, { force: values.force });
  process.stderr.write(`grading ${submissions.length} submission${submissions.length === 1 ? '' : 's'}${values.shard ? ` (shard ${values.shard})` : ''}; first the source's own solution (reference run)\n`);
  const grading = await gradeClass(source, submissions, {
    execute,
    jobs,
    shard,
    cellTimeoutSeconds: positiveNumber('cell-timeout', values['cell-timeout'], 60),
    limitSeconds: positiveNumber('limit', values.limit, 600),
    isolation,
    // The kernel must not find the source or any submission where it looks (under bubblewrap: at all).
    hide: hiddenPaths(source, submissions, out),
    signal,
    onProgress: ({ done, total, student, seconds, isolation: ran }) => {
      const width = String(total).length;
      process.stderr.write(`[${String(done).padStart(width)}/${total}] ${student}: answers collected (${seconds.toFixed(1)} s${ran === 'none' ? ', not isolated' : ''})\n`);
    },
  });
  writeGrading(out, grading, { force: values.force });
  console.log(summary(grading, (performance.now() - started) / 1000, out));
  return 0;
}
