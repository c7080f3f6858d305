import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readAssignmentFile } from './assignment';
import { judgeRun, probeSubmission, referenceRun, type GradeOptions, type ProbedSubmission, type References } from './grade';
import { gradebookCsv, type GradebookColumns } from './gradebook';
import type { QuestionResult, SubmissionReport } from './report';
import { questionResult } from './score';
import { shardOf, studentNames, type Shard } from './shard';

/*
 * A class graded: the reference run of the source once, every submission's answers (or one shard's) with
 * a few kernels at a time, then one judge run for them all; written as gradebook.csv, one JSON report per
 * student, and grading.json, which `grade --merge` uses to put shards back together.
 */

/** A class's grading: what `writeGrading` writes and `readGrading` reads back. */
export interface ClassGrading {
  assignment: string;
  /** SHA-256 of the source notebook's bytes: shards of different sources are never merged. */
  sourceSha256: string;
  columns: GradebookColumns;
  /** The shard these reports are, when the class was sharded. */
  shard?: Shard;
  reports: SubmissionReport[];
}

/** How to grade a class: one submission's options, and how many kernels at a time. */
export interface ClassGradingOptions extends GradeOptions {
  /** Kernels at a time (default 2: this project's machines have two cores). */
  jobs?: number;
  shard?: Shard;
  /** Called after each submission's run, in completion order (before judging: no score yet). */
  onProgress?: (event: { done: number; total: number; student: string; seconds: number; isolation: string }) => void;
}

/**
 * A student's seed for seeded inputs: fixed by the source and the student's name, so a regrade draws the
 * same inputs, and two students draw different ones.
 *
 * @example
 * import { studentSeed } from 'maml-lab/homework';
 * studentSeed('abc', 'al') === studentSeed('abc', 'al'); // true
 * studentSeed('abc', 'al') === studentSeed('abc', 'bo'); // false
 */
export function studentSeed(sourceSha256: string, student: string): number {
  return createHash('sha256').update(`${sourceSha256}\n${student}`).digest().readUInt32BE(0) + 1;
}

function possiblePoints(references: References): number {
  return [...references.values()].reduce((s, q) => s + q.points, 0);
}

/** A student's report from their run and the judge's outcomes. */
function reportOf(s: ProbedSubmission, assignment: string, references: References, judged: Map<string, Record<string, unknown>>): SubmissionReport {
  const questions: QuestionResult[] = [...references].map(([id, { points, record }]) => {
    const result = s.results.get(id);
    const zero = s.banned.get(id) ?? (result !== undefined && 'missing' in result ? result.missing : undefined);
    const outcomes = Object.prototype.hasOwnProperty.call(judged.get(id) ?? {}, s.student) ? (judged.get(id)?.[s.student] as Parameters<typeof questionResult>[2]) : undefined;
    return questionResult(record, points, outcomes, zero);
  });
  const seeded = [...references.values()].some(({ record }) => record.cases.length > 1);
  return {
    student: s.student,
    file: s.file,
    assignment,
    earned: questions.reduce((sum, q) => sum + q.earned, 0),
    possible: possiblePoints(references),
    questions,
    notes: s.notes,
    seconds: s.seconds,
    isolation: s.isolation,
    ...(seeded ? { seed: s.seed } : {}),
  };
}

/**
 * Grades `files` against the assignment in `sourceFile`. Throws only for the source (unreadable, not in
 * the assignment format, or its own solution not scoring full marks); one bad submission never stops
 * the batch. With `shard`, grades only the students `shardOf` puts in it.
 *
 * @example
 * // Needs `npm run setup` (the tslab kernel); test/grade.test.ts grades a synthetic class with it.
 * import { gradeClass } from 'maml-lab/homework';
 * typeof gradeClass; // "function"
 */
export async function gradeClass(sourceFile: string, files: readonly string[], options: ClassGradingOptions): Promise<ClassGrading> {
  const { assignment, bytes } = readAssignmentFile(sourceFile);
  const sourceSha256 = createHash('sha256').update(bytes).digest('hex');
  const name = path.basename(sourceFile).replace(/\.ipynb$/i, '');
  const names = studentNames(files);
  const chosen = files
    .map((file, i) => ({ file, student: names[i], seed: studentSeed(sourceSha256, names[i]) }))
    .filter(({ student }) => options.shard === undefined || shardOf(student, options.shard.count) === options.shard.index);
  const references = await referenceRun(assignment, chosen.map((c) => c.seed), options);
  const jobs = Math.max(1, Math.floor(options.jobs ?? 2));
  const probed: ProbedSubmission[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chosen.length) {
      const { file, student, seed } = chosen[next++];
      options.signal?.throwIfAborted();
      const s = await probeSubmission(assignment, references, student, file, seed, options);
      probed.push(s);
      options.onProgress?.({ done: probed.length, total: chosen.length, student, seconds: s.seconds, isolation: s.isolation });
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, chosen.length) }, worker));
  const judged = probed.length > 0 ? await judgeRun(assignment, references, probed, options) : new Map();
  const reports = probed.map((s) => reportOf(s, name, references, judged));
  const columns = { questions: [...references].map(([id, q]) => ({ id, points: q.points })) };
  return { assignment: name, sourceSha256, columns, shard: options.shard, reports: sortByStudent(reports) };
}

function sortByStudent(reports: readonly SubmissionReport[]): SubmissionReport[] {
  return [...reports].sort((a, b) => (a.student < b.student ? -1 : a.student > b.student ? 1 : 0));
}

/** A file name for a student's report: the name with anything unsafe in a path replaced, made unique. */
function reportFileNames(students: readonly string[]): string[] {
  const taken = new Set<string>();
  return students.map((s) => {
    const base = s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || 'student';
    let candidate = `${base}.json`;
    for (let n = 2; taken.has(candidate); n++) candidate = `${base}-${n}.json`;
    taken.add(candidate);
    return candidate;
  });
}

/**
 * Throws unless `outDir` may receive a gradebook: absent, empty, or (with `force`) an earlier grading's
 * folder. The grader calls it before any kernel starts, so a run is never thrown away at the end.
 *
 * @example
 * import fs from 'node:fs';
 * import os from 'node:os';
 * import path from 'node:path';
 * import { checkOutDir } from 'maml-lab/homework';
 * const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'out-'));
 * fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
 * let message = '';
 * try { checkOutDir(dir); } catch (e) { message = (e as Error).message; }
 * message.includes('files the grader did not write (notes.txt)'); // true
 */
export function checkOutDir(outDir: string, options: { force?: boolean } = {}): void {
  if (!fs.existsSync(outDir)) return;
  const entries = fs.readdirSync(outDir);
  const ours = new Set(['gradebook.csv', 'grading.json', 'reports']);
  const foreign = entries.filter((e) => !ours.has(e));
  if (foreign.length > 0) throw new Error(`${outDir} already holds files the grader did not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}); choose an empty or new folder`);
  if (entries.length > 0 && !options.force) throw new Error(`${outDir} already holds a gradebook; pass --force to replace it`);
}

/**
 * Writes `gradebook.csv`, `reports/<student>.json` and `grading.json` into `outDir`. Refuses a folder
 * that holds anything but an earlier grading's files unless `force`, so nothing a user wrote is
 * overwritten.
 *
 * @example
 * import fs from 'node:fs';
 * import os from 'node:os';
 * import path from 'node:path';
 * import { writeGrading } from 'maml-lab/homework';
 * const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gradebook-')), 'out');
 * writeGrading(out, { assignment: 'hw1', sourceSha256: '0', columns: { questions: [{ id: 'q1', points: 1 }] }, reports: [] });
 * fs.readFileSync(path.join(out, 'gradebook.csv'), 'utf8').trim(); // "student,q1,total"
 */
export function writeGrading(outDir: string, grading: ClassGrading, options: { force?: boolean } = {}): void {
  checkOutDir(outDir, options);
  fs.rmSync(path.join(outDir, 'reports'), { recursive: true, force: true });
  fs.mkdirSync(path.join(outDir, 'reports'), { recursive: true });
  const files = reportFileNames(grading.reports.map((r) => r.student));
  grading.reports.forEach((r, i) => fs.writeFileSync(path.join(outDir, 'reports', files[i]), JSON.stringify(r, null, 2) + '\n'));
  fs.writeFileSync(path.join(outDir, 'gradebook.csv'), gradebookCsv(grading.columns, grading.reports));
  const manifest = { assignment: grading.assignment, sourceSha256: grading.sourceSha256, columns: grading.columns, shard: grading.shard ?? null, reports: files };
  fs.writeFileSync(path.join(outDir, 'grading.json'), JSON.stringify(manifest, null, 2) + '\n');
}

/** Reads back what `writeGrading` wrote; throws naming the folder and what is missing or malformed. */
export function readGrading(dir: string): ClassGrading {
  const manifestFile = path.join(dir, 'grading.json');
  if (!fs.existsSync(manifestFile)) throw new Error(`${dir} holds no grading.json: is it an output folder of \`maml-lab grade\`?`);
  const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { assignment: string; sourceSha256: string; columns: GradebookColumns; shard: Shard | null; reports: string[] };
  const reports = m.reports.map((f) => JSON.parse(fs.readFileSync(path.join(dir, 'reports', f), 'utf8')) as SubmissionReport);
  return { assignment: m.assignment, sourceSha256: m.sourceSha256, columns: m.columns, shard: m.shard ?? undefined, reports };
}

/**
 * Puts shards back together: they must come from the same source notebook, cover every shard of the
 * same count exactly once, and hold no student twice. The result is what grading the whole class at once
 * gives.
 *
 * @example
 * import { mergeGradings } from 'maml-lab/homework';
 * const part = (index: number, student: string) => ({ assignment: 'hw1', sourceSha256: 'abc', columns: { questions: [] }, shard: { index, count: 2 }, reports: [{ student, file: `${student}.ipynb`, assignment: 'hw1', earned: 0, possible: 0, questions: [], notes: [], seconds: 0, isolation: 'none' as const }] });
 * mergeGradings([part(1, 'bo'), part(0, 'al')]).reports.map((r) => r.student); // ["al", "bo"]
 */
export function mergeGradings(parts: readonly ClassGrading[]): ClassGrading {
  if (parts.length === 0) throw new Error('grade --merge needs at least one output folder');
  const [first] = parts;
  const problems: string[] = [];
  for (const p of parts) {
    if (p.sourceSha256 !== first.sourceSha256) problems.push(`shards of different source notebooks (${p.assignment} ${p.sourceSha256.slice(0, 12)} vs ${first.assignment} ${first.sourceSha256.slice(0, 12)})`);
  }
  const counts = new Set(parts.map((p) => p.shard?.count ?? 1));
  if (counts.size > 1) problems.push(`shards of different splits (N = ${[...counts].join(', ')})`);
  const count = first.shard?.count ?? 1;
  const indices = parts.map((p) => p.shard?.index ?? 0);
  for (let i = 0; i < count; i++) {
    const n = indices.filter((x) => x === i).length;
    if (n === 0) problems.push(`shard ${i}/${count} is missing`);
    if (n > 1) problems.push(`shard ${i}/${count} is given ${n} times`);
  }
  const reports = parts.flatMap((p) => p.reports);
  const seen = new Set<string>();
  for (const r of reports) {
    if (seen.has(r.student)) problems.push(`student ${r.student} appears in more than one shard`);
    seen.add(r.student);
  }
  if (problems.length > 0) throw new Error(`cannot merge:\n${[...new Set(problems)].map((p) => `  - ${p}`).join('\n')}`);
  return { assignment: first.assignment, sourceSha256: first.sourceSha256, columns: first.columns, reports: sortByStudent(reports) };
}
