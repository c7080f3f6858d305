import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AnswerData } from './answerData';
import { type Assignment } from './assignment';
import type { ExecuteOptions, NotebookExecutor, NotebookRun } from './executor';
import { probeNotebook, sourceRunNotebook, type GradingNotebook } from './gradingNotebook';
import { JUDGEMENT_MIME, REFERENCE_MIME, type JudgeCase, type ReferenceRecord } from './gradingRuns';
import { notebookOrProblem, type Notebook } from './nbformat';
import { bannedRoutes, ownDeclarations } from './routes';
import type { TestOutcome } from './runTests';
import { plainError, probeResults, recordsIn, studentCellNotes, type ProbeResult } from './score';

/*
 * Grading's three runs (see gradingRuns.ts): the source's reference run, each student's probe run, and
 * the judge run. Kernels run through an executor the caller passes (the notebook layer's executeNotebook):
 * homework sits below the layer that knows tslab, so it is handed the runner rather than importing it.
 */

/** How to grade. */
export interface GradeOptions {
  execute: NotebookExecutor;
  /** Per cell of a student's run: past it the cell is stopped and the question it held scores 0 (default 60 s). */
  cellTimeoutSeconds?: number;
  /** Per submission (default 600 s). */
  limitSeconds?: number;
  /** Per cell, bytes of output kept (default 1 MB). */
  maxOutputBytes?: number;
  isolation?: 'auto' | 'bubblewrap' | 'none';
  /** Paths a submission's kernel must not see (the source, the submissions, the output folder). */
  hide?: string[];
  signal?: AbortSignal;
}

/** Per grade cell (by grade_id), its points and what the reference run recorded. */
export type References = ReadonlyMap<string, { points: number; record: ReferenceRecord }>;

/** Submissions larger than this are not read (a notebook is kilobytes to a few megabytes). */
const MAX_SUBMISSION_BYTES = 50 * 1024 * 1024;
/** The trusted runs (the source's own code) get generous limits: a slow reference must not fail a class. */
const TRUSTED_CELL_SECONDS = 900;
const TRUSTED_OUTPUT_BYTES = 200_000_000;
const TRUSTED_MEMORY_MB = 8192;

const nonce = (): string => randomBytes(6).toString('hex');

/** Runs `plan` in a fresh kernel in a fresh empty folder, with `files` written there first; removes the folder. */
async function runIn(plan: GradingNotebook, options: GradeOptions, settings: Partial<ExecuteOptions>, files: Record<string, string> = {}): Promise<NotebookRun> {
  // Each kernel starts in an empty folder of its own: nothing of the instructor's is there, and nothing one
  // submission leaves is seen by the next.
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-grade-'));
  try {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(cwd, name), text);
    return await options.execute(plan.notebook, { cwd, cellTimeoutSeconds: 60, retryAborted: true, restartDeadKernel: true, inheritEnv: false, ...settings }, options.signal);
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

/** A trusted run of the source (no student code): unsandboxed, generous limits, every cell must succeed. */
export async function runSource(assignment: Assignment, standIn: string, options: GradeOptions, files: Record<string, string> = {}): Promise<{ plan: GradingNotebook; run: NotebookRun }> {
  const plan = sourceRunNotebook(assignment, standIn, nonce());
  const run = await runIn(plan, options, {
    cellTimeoutSeconds: TRUSTED_CELL_SECONDS,
    maxOutputBytes: TRUSTED_OUTPUT_BYTES,
    maxTotalOutputBytes: TRUSTED_OUTPUT_BYTES,
    memoryLimitMb: TRUSTED_MEMORY_MB,
    isolation: 'none',
    restartDeadKernel: false,
  }, files);
  if (run.startupError !== undefined) throw new Error(`the source's run could not start a kernel: ${run.startupError}`);
  const problems: string[] = [];
  plan.cells.forEach((c, i) => {
    const cell = run.cells[i];
    if (cell?.status !== 'ok') problems.push(`${c.role} cell ${c.gradeId ?? ''} of the source ended with status ${cell?.status}: ${(cell?.errorText ?? cell?.reason ?? '').trim()}`);
  });
  if (problems.length > 0) throw new Error(`the assignment cannot be graded:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return { plan, run };
}

/** The one record of `mime` each grade cell showed, for its own question; throws naming each cell that did not. */
export function gradeCellRecords<T extends { question: string }>(assignment: Assignment, plan: GradingNotebook, run: NotebookRun, mime: string): Map<string, T> {
  const found = new Map<string, T>();
  const problems: string[] = [];
  plan.cells.forEach((c, i) => {
    if (c.role !== 'grade' || c.gradeId === undefined) return;
    const records = recordsIn(run.cells[i], mime) as T[];
    if (records.length !== 1) problems.push(`grade cell ${c.gradeId} called grade(...) ${records.length} times; it must call it once`);
    else if (records[0].question !== c.gradeId) problems.push(`grade cell ${c.gradeId} grades the question "${records[0].question}"; a question's id must be its grade cell's grade_id`);
    else found.set(c.gradeId, records[0]);
  });
  if (problems.length > 0) throw new Error(`the assignment cannot be graded:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return found;
}

/**
 * The reference run: the source with its own solutions, for every seed. Throws, naming the grade cell and
 * the test, unless each grade cell grades its own question, the solution passes every test at every seed,
 * and each grade cell's points equal its tests' points.
 */
export async function referenceRun(assignment: Assignment, seeds: readonly number[], options: GradeOptions): Promise<References> {
  const { plan, run } = await runSource(assignment, `referenceGrade(${JSON.stringify(seeds)})`, options);
  const records = gradeCellRecords<ReferenceRecord>(assignment, plan, run, REFERENCE_MIME);
  const problems: string[] = [];
  const out = new Map<string, { points: number; record: ReferenceRecord }>();
  for (const q of assignment.questions) {
    const record = records.get(q.gradeId);
    if (record === undefined) continue;
    problems.push(...record.failures.map((f) => `grade cell ${q.gradeId}: ${f}`));
    const sum = record.tests.reduce((s, t) => s + t.points, 0);
    if (record.tests.length === 0) problems.push(`grade cell ${q.gradeId} has no tests`);
    else if (Math.abs(sum - q.points) > 1e-9) problems.push(`grade cell ${q.gradeId} is worth ${q.points} points in its metadata, but its tests add up to ${sum}`);
    out.set(q.gradeId, { points: q.points, record });
  }
  if (problems.length > 0) throw new Error(`the assignment cannot be graded:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return out;
}

/** The reference case a seed draws (the only case when no test is seeded). */
export function caseFor(record: ReferenceRecord, seed: number): { inputs: AnswerData[]; references: (AnswerData | null)[] } {
  return record.cases.find((c) => c.seed === seed) ?? record.cases[0];
}

/** What a student's run produced, before judging. */
export interface ProbedSubmission {
  student: string;
  file: string;
  seed: number;
  /** Per question: the answers, or why there are none (unreadable file, a failing cell, a banned route). */
  results: Map<string, ProbeResult>;
  /** Per question: the banned routes the answer cells use, as a sentence. */
  banned: Map<string, string>;
  notes: string[];
  seconds: number;
  isolation: 'bubblewrap' | 'none' | 'not-run';
  isolationNote?: string;
}

/** The submission, or a sentence saying why it cannot be graded. */
function readSubmission(file: string): { notebook?: Notebook; problem?: string; notes: string[] } {
  let text: string;
  try {
    const size = fs.statSync(file).size;
    if (size > MAX_SUBMISSION_BYTES) return { problem: `the file is ${(size / 1e6).toFixed(0)} MB; a notebook over ${MAX_SUBMISSION_BYTES / 1e6} MB is not graded`, notes: [] };
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return { problem: `the file could not be read (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`, notes: [] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { problem: 'the file is not a notebook (it is not valid JSON; was it saved from Jupyter as .ipynb?)', notes: [] };
  }
  const nb = notebookOrProblem(json);
  if (typeof nb === 'string') return { problem: `the file is ${nb}`, notes: [] };
  const kernel = (nb.metadata.kernelspec as { name?: unknown } | undefined)?.name;
  const notes = kernel === 'tslab' ? [] : [`the notebook was saved for the kernel ${JSON.stringify(kernel ?? null)}, not tslab (TypeScript); it was graded with tslab anyway`];
  return { notebook: nb, notes };
}

/** Per answer cell's grade_id, the question (grade cell) it answers: the next grade cell after it in the source. */
function questionOfAnswer(assignment: Assignment): Map<string, string> {
  const map = new Map<string, string>();
  let pending: string[] = [];
  for (const c of assignment.cells) {
    if (c.kind === 'solution' && c.gradeId !== undefined) pending.push(c.gradeId);
    if (c.kind === 'grade' && c.gradeId !== undefined) {
      for (const answer of pending) map.set(answer, c.gradeId);
      pending = [];
    }
  }
  return map;
}

/** A cell that does not parse declares nothing; it fails in the kernel, where its error is reported. */
function safeOwnDeclarations(source: string): string[] {
  try {
    return ownDeclarations(source);
  } catch {
    return [];
  }
}

function safeBannedRoutes(source: string, banned: readonly string[], own: ReadonlySet<string>): ReturnType<typeof bannedRoutes> {
  try {
    return bannedRoutes(source, banned, own);
  } catch {
    return [];
  }
}

/**
 * Per question, the banned routes the student's cells use, as the sentence the report gives: a cell counts
 * against the question whose answer it is or follows; a cell before every answer, against every question.
 */
function bannedUse(assignment: Assignment, plan: ReturnType<typeof probeNotebook>, references: References): Map<string, string> {
  const answers = questionOfAnswer(assignment);
  const found = new Map<string, string>();
  // Names the student declared as their own so far (in this cell or an earlier one): from there on they
  // are the student's helpers, not the references. Never earlier: a cell above the declaration still sees
  // the reference.
  const own = new Set<string>();
  let group: string | undefined;
  plan.cells.forEach((c, i) => {
    if (c.role === 'answer') group = answers.get(c.gradeId ?? '');
    if (c.role !== 'answer' && c.role !== 'student') return;
    const source = String(plan.notebook.cells[i].source);
    for (const name of safeOwnDeclarations(source)) own.add(name);
    for (const [gradeId, { record }] of references) {
      if (group !== undefined && group !== gradeId) continue;
      const hits = safeBannedRoutes(source, record.banned, own);
      if (hits.length === 0 || found.has(gradeId)) continue;
      const routes = [...new Set(hits.map((h) => `${h.route} (line ${h.line})`))].join(', ');
      found.set(gradeId, `this question may not use ${record.banned.join(', ')}; your code cell ${c.submissionCell} uses ${routes}, so the question scores 0`);
    }
  });
  return found;
}

/**
 * Runs one submission's answers (never its tests) in a fresh kernel in an empty folder and reads back the
 * values each probe reported. Never throws for anything in the file (unreadable, not a notebook, code that
 * fails, loops, exits or crashes the kernel); the file itself is only read.
 */
export async function probeSubmission(assignment: Assignment, references: References, student: string, file: string, seed: number, options: GradeOptions): Promise<ProbedSubmission> {
  const started = performance.now();
  const seconds = (): number => Math.round((performance.now() - started) / 10) / 100;
  const nothing = (problem: string): ProbedSubmission => ({
    student, file: path.basename(file), seed, results: new Map([...references.keys()].map((id) => [id, { missing: problem }])), banned: new Map(), notes: [problem], seconds: seconds(), isolation: 'not-run',
  });
  const read = readSubmission(file);
  if (read.notebook === undefined) return nothing(read.problem ?? 'unreadable');
  const inputs: Record<string, AnswerData[]> = {};
  for (const [id, { record }] of references) inputs[id] = caseFor(record, seed).inputs;
  const plan = probeNotebook(assignment, read.notebook, inputs, nonce());
  let run: NotebookRun;
  try {
    run = await runIn(plan, options, {
      cellTimeoutSeconds: options.cellTimeoutSeconds ?? 60,
      limitSeconds: options.limitSeconds ?? 600,
      maxOutputBytes: options.maxOutputBytes ?? 1_000_000,
      isolation: options.isolation ?? 'auto',
      hide: options.hide ?? [],
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return nothing(`grading could not run this notebook: ${plainError((error as Error).message)}`);
  }
  if (run.startupError !== undefined) return nothing(`the kernel could not start: ${plainError(run.startupError)}`);
  const counts = new Map([...references].map(([id, { record }]) => [id, record.tests.length]));
  const { isolationNote } = run;
  return {
    student,
    file: path.basename(file),
    seed,
    results: probeResults(plan.cells, run, counts),
    banned: bannedUse(assignment, plan, references),
    notes: [...read.notes, ...plan.notes, ...studentCellNotes(plan.cells, run)],
    seconds: seconds(),
    isolation: run.isolation,
    ...(isolationNote ? { isolationNote } : {}),
  };
}

/**
 * The judge run: the source's own cells, whose grade cells judge every student's answers (data, written to
 * a file in the judge's folder). Returns per question, per student, the outcomes test by test.
 */
export async function judgeRun(assignment: Assignment, references: References, submissions: readonly ProbedSubmission[], options: GradeOptions): Promise<Map<string, Record<string, TestOutcome[]>>> {
  const data: Record<string, JudgeCase[]> = {};
  for (const [id, { record }] of references) {
    data[id] = submissions.flatMap((s) => {
      const result = s.results.get(id);
      if (result === undefined || 'missing' in result || s.banned.has(id)) return [];
      const { inputs, references: values } = caseFor(record, s.seed);
      return [{ student: s.student, inputs, references: values, answers: result.answers }];
    });
  }
  const { plan, run } = await runSource(assignment, "judgeGrade('judge-input.json')", options, { 'judge-input.json': JSON.stringify(data) });
  const records = gradeCellRecords<{ question: string; students: Record<string, TestOutcome[]> }>(assignment, plan, run, JUDGEMENT_MIME);
  return new Map([...records].map(([id, r]) => [id, r.students]));
}
