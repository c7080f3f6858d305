/**
 * The grader on a synthetic class: one fixture assignment (squares.ipynb: q1 3 points, q2 2, q3 2) and
 * submissions made from it, fully correct, partially correct, and each way a submission goes wrong that
 * issue 9 lists. Every student's expected score is written out below; the gradebook must hold exactly
 * those. Then shards of part of the class, graded through the CLI and merged, must equal the rows of
 * the unsharded run.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cellSource, gradeClass, gradebookCsv, studentVersion, type ClassGrading, type Notebook, type NotebookCell } from '../src/homework';
import { executeNotebook, sandboxProblem } from '../src/notebook/execute';
import net from 'node:net';

const FIXTURE = path.join(__dirname, 'fixtures', 'homework', 'squares.ipynb');
const BIN = path.join(__dirname, '..', 'bin', 'maml-lab.js');
const source = (): Notebook => JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Notebook;

const gradeIdOf = (c: NotebookCell): string | undefined => (c.metadata?.nbgrader as { grade_id?: string } | undefined)?.grade_id;
const indexOf = (nb: Notebook, gradeId: string): number => {
  const i = nb.cells.findIndex((c) => gradeIdOf(c) === gradeId);
  assert.ok(i >= 0, `fixture has no cell ${gradeId}`);
  return i;
};
const free = (text: string): NotebookCell => ({ cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source: text });

/** The source with an answer cell's body replaced (the function's signature kept). */
function answering(gradeId: string, body: string, nb: Notebook = source()): Notebook {
  const cell = nb.cells[indexOf(nb, gradeId)];
  cell.source = cellSource(cell).replace(/\/\/ BEGIN SOLUTION[\s\S]*\/\/ END SOLUTION/, body);
  return nb;
}

/** The student version with an answer cell's stub replaced by `body`, as a student would write it. */
function answeringStub(gradeId: string, body: string, nb: Notebook = studentVersion(source())): Notebook {
  const cell = nb.cells[indexOf(nb, gradeId)];
  cell.source = cellSource(cell).replace(/throw new Error\("[^"]*not implemented yet[^"]*"\);/, body);
  assert.notEqual(cellSource(cell).includes('not implemented yet'), true, `${gradeId}: the stub was replaced`);
  return nb;
}

/** The source with a student's own cell added after the cell `gradeId`. */
function adding(after: string, text: string, nb: Notebook = source()): Notebook {
  nb.cells.splice(indexOf(nb, after) + 1, 0, free(text));
  return nb;
}

function cheater(): Notebook {
  const nb = studentVersion(source());
  const pastedTest = { ...nb.cells[indexOf(nb, 'q1')] };
  pastedTest.source = "await grade(q1, () => (x: number) => x * x, []);";
  nb.cells.push(pastedTest);
  nb.cells.push(free("await grade(q1, () => (x: number) => x * x, [test('square(3) is 9', 1, 3, () => {})]);"));
  nb.cells.splice(indexOf(nb, 'q1-answer') + 1, 0, free([
    "const q1 = question('q1', { call: () => 9, tests: [] });",
    'const grade = async (..._args: unknown[]) => {};',
    'const check = async (..._args: unknown[]) => {};',
    'const expect = { near: () => {}, shape: () => {}, finite: () => {} };',
  ].join('\n')));
  return nb;
}

/**
 * The red team: submissions that implement nothing (the student version's stubs) and try to score anyway,
 * each from inside the student's kernel. Every one must score exactly 0: the kernel only reports values,
 * and the judge that scores them runs elsewhere.
 */
const ATTACKS: Record<string, string> = {
  // The grading modules from require.cache, their test runners and judges swapped for ones that always pass.
  requireCacheSwap: [
    "for (const key of Object.keys(require.cache)) {",
    "  const m = require.cache[key]?.exports as Record<string, unknown> | undefined;",
    "  if (!m || !/maml-lab|dist/.test(key)) continue;",
    "  for (const name of ['runTests', 'judgeAnswer', 'judgementRecord', 'referenceRecord', 'lintRecord']) {",
    "    try { Object.defineProperty(m, name, { value: async () => [], configurable: true }); } catch {}",
    "  }",
    "}",
  ].join('\n'),
  // The stand-ins called directly from a top-level cell, and records of every kind printed.
  printsRecords: [
    "import * as nb from 'maml-lab/notebook';",
    "import * as hw from 'maml-lab/homework';",
    "const pass = { name: 'square(3) is 9', points: 1, passed: true, message: '', seconds: 0, hidden: true };",
    "nb.publish({ [hw.JUDGEMENT_MIME]: JSON.stringify({ question: 'q1', students: { requireCacheSwap: [pass], printsRecords: [pass] } }), 'text/plain': 'x' });",
    "nb.publish({ [hw.ANSWERS_MIME]: JSON.stringify({ question: 'q1', answers: [{ value: 2.25, seconds: 0 }, { value: 9, seconds: 0 }, { value: 4, seconds: 0 }] }), 'text/plain': 'x' });",
    "await nb.judgeGrade('judge-input.json')(q1, () => null, []);",
  ].join('\n'),
  // tslab's own handler patched to capture every later cell (the probes) and to print answers into them.
  patchesTslab: [
    "const jupyter = require('tslab/dist/jupyter');",
    "const proto = jupyter.JupyterHandlerImpl.prototype;",
    "const original = proto.handleExecuteImpl;",
    "proto.handleExecuteImpl = function (this: unknown, ...args: unknown[]) { (globalThis as Record<string, unknown>).seen = args; return original.apply(this, args); };",
  ].join('\n'),
  // Built-ins the judge would have used, broken in the student's own process.
  patchesBuiltins: "Math.abs = () => 0;\nMath.sqrt = () => 0;\nMath.max = () => 0;\nNumber.isFinite = () => true;\nJSON.stringify = () => '{}';",
};

/** A stub answer whose value lies: every conversion a judge might make says 9. */
const lyingAnswer = "return { valueOf: () => 9, toJSON: () => 9, get [Symbol.toPrimitive]() { return () => 9; } } as unknown as number;";

function withKernel(name: string): Notebook {
  const nb = source();
  nb.metadata.kernelspec = { name, display_name: 'Python 3', language: 'python' };
  return nb;
}

function reordered(): Notebook {
  const nb = source();
  const [q3] = nb.cells.splice(indexOf(nb, 'q3-answer'), 1);
  nb.cells.splice(indexOf(nb, 'q1-answer'), 0, q3);
  return nb;
}

function duplicated(): Notebook {
  const nb = source();
  const copy = structuredClone(nb.cells[indexOf(nb, 'q1-answer')]);
  copy.source = 'function square(x: number): number {\n  return 0 * x;\n}';
  nb.cells.splice(indexOf(nb, 'q1-answer') + 1, 0, copy);
  return nb;
}

function deleting(gradeId: string): Notebook {
  const nb = source();
  nb.cells.splice(indexOf(nb, gradeId), 1);
  return nb;
}

/** Every submission of the synthetic class, and the score each must get per question. */
const CLASS: Record<string, { file: () => Notebook | string | 'directory'; scores: [number, number, number]; note?: RegExp }> = {
  full: { file: source, scores: [3, 2, 2] },
  fullStudentCopy: { file: () => answeringStub('q3-answer', 'return 2 * x;', answeringStub('q2-answer', 'return [1, 2];', answeringStub('q1-answer', 'return x * x;'))), scores: [3, 2, 2] },
  untouched: { file: () => studentVersion(source()), scores: [0, 0, 0] },
  partial: { file: () => answering('q3-answer', 'return 3 * x;', answering('q1-answer', 'return x * Math.abs(x);')), scores: [2, 2, 0] },
  syntaxError: { file: () => answering('q2-answer', 'return [1, 2;'), scores: [3, 0, 2], note: /your code cell \d+ .*failed/ },
  typeError: { file: () => answering('q2-answer', "return 'ab';"), scores: [3, 0, 2], note: /not assignable/ },
  loopInTests: { file: () => answering('q3-answer', 'while (true) {}'), scores: [3, 2, 0] },
  loopAtTop: { file: () => adding('q1-answer', 'while (true) {}'), scores: [3, 2, 2], note: /ran past the time limit/ },
  exits: { file: () => adding('q2-answer', 'process.exit(1);'), scores: [3, 2, 2], note: /ended the kernel/ },
  crashes: { file: () => answering('q2-answer', "process.kill(process.pid, 'SIGKILL');\n  return [1, 2];"), scores: [3, 0, 2] },
  throwsAtTop: { file: () => adding('q1-answer', "throw new Error('oops');"), scores: [3, 2, 2], note: /oops/ },
  deletedCell: { file: () => deleting('q2-answer'), scores: [3, 0, 2], note: /q2-answer is missing/ },
  reordered: { file: reordered, scores: [3, 2, 2] },
  duplicated: { file: duplicated, scores: [0, 2, 2], note: /2 copies of the answer cell q1-answer/ },
  cheater: { file: cheater, scores: [0, 0, 0], note: /cells q1 were changed, pasted or copied/ },
  ...Object.fromEntries(Object.entries(ATTACKS).map(([name, code]) => [name, { file: () => adding('q1-answer', code, studentVersion(source())), scores: [0, 0, 0] as [number, number, number] }])),
  lyingAnswer: { file: () => answeringStub('q1-answer', lyingAnswer), scores: [0, 0, 0] },
  bannedName: { file: () => answering('q1-answer', 'return squareReference(x);'), scores: [0, 2, 2], note: /may not use squareReference; your code cell \d+ uses squareReference/ },
  bannedAlias: { file: () => adding('setup', 'const mine = squareReference;', answering('q1-answer', 'return mine(x);')), scores: [0, 2, 2], note: /uses squareReference/ },
  bannedRequire: { file: () => answering('q1-answer', "return (require('maml-lab') as { squareOf?: (x: number) => number }).squareOf?.(x) ?? x * x;"), scores: [0, 2, 2], note: /require \(line 2\)/ },
  // A cell of check(...) calls is feedback, never run when grading: this one would loop past the cell timeout.
  checksOnly: { file: () => adding('q1-answer', 'await check(q1, square);\nawait check(q1, (() => { while (true) {} })());'), scores: [3, 2, 2] },
  hugeOutput: { file: () => adding('q1-answer', "console.log('x'.repeat(5_000_000));"), scores: [3, 2, 2], note: /printed more than/ },
  warns: { file: () => adding('q1-answer', "console.warn('careful: this is stderr');"), scores: [3, 2, 2] },
  otherKernel: { file: () => withKernel('python3'), scores: [3, 2, 2], note: /kernel "python3"/ },
  notJson: { file: () => '\u0000\u0001 this is not a notebook', scores: [0, 0, 0], note: /not valid JSON/ },
  notNotebook: { file: () => '{"hello": "world"}', scores: [0, 0, 0], note: /nbformat is missing/ },
  unreadable: { file: () => 'directory', scores: [0, 0, 0], note: /could not be read/ },
};

/**
 * The red team's attacks on the sandbox, each in a submission with honest, full answers whose q2 answer
 * turns wrong when the attack got through (it sets `leaked`): under bubblewrap each must score exactly
 * [3, 2, 2]. The attack cell follows q2's answer (q2 bans nothing, so its `require` is no banned route).
 */
function sandboxAttacks(port: number, otherSubmission: string): Record<string, string> {
  const pkg = path.join(__dirname, '..');
  const leak = '(globalThis as Record<string, unknown>).leaked = true;';
  return {
    gitShowsTheSource: `try { const out = require('child_process').execSync(${JSON.stringify(`git -C ${pkg} show HEAD:test/fixtures/homework/squares.ipynb`)}, { stdio: 'pipe' }).toString(); if (out.includes('HIDDEN')) ${leak} } catch {}`,
    readsTheSource: `try { if (require('fs').readFileSync(${JSON.stringify(FIXTURE)}, 'utf8').includes('HIDDEN')) ${leak} } catch {}`,
    readsAnotherSubmission: `try { if (require('fs').readFileSync(${JSON.stringify(otherSubmission)}, 'utf8').includes('cell_type')) ${leak} } catch {}`,
    // Into the built package and the home folder (not the package's own folder: in a clone straight under
    // /tmp that is a mount point on the sandbox's own /tmp, where writes stay in the sandbox).
    writesOutside: `for (const target of [${JSON.stringify(path.join(pkg, 'dist', 'leaked-by-a-student.txt'))}, ${JSON.stringify(path.join(os.homedir(), 'leaked-by-a-student.txt'))}]) { try { require('fs').writeFileSync(target, 'x'); ${leak} } catch {} }`,
    callsTheNetwork: `await new Promise<void>((done) => { const socket = require('net').connect(${port}, '127.0.0.1'); socket.on('connect', () => { ${leak} socket.destroy(); done(); }); socket.on('error', () => done()); setTimeout(done, 3000); });`,
    fillsItsFolder: `const chunk = Buffer.alloc(1 << 20);\nfor (let i = 0; i < 400; i++) require('fs').appendFileSync('filler.bin', chunk);`,
    forkBomb: `const { spawn } = require('child_process');\nfor (let i = 0; i < 2000; i++) spawn('sleep', ['60']);\nawait new Promise((r) => setTimeout(r, 20000));`,
    // One allocation past the memory limit (a hoard kept alive would be the student's own broken kernel:
    // test/sandbox.test.ts covers a heap grown until the kernel is killed).
    memoryHog: `const hoard = new Float64Array(4e8).fill(1);\nconsole.log(hoard.length);`,
  };
}

/** A submission with honest, full answers whose q2 answer turns wrong if `leaked` was set. */
function honestWith(attack: string): Notebook {
  return adding('q2-answer', attack, answering('q2-answer', 'return (globalThis as Record<string, unknown>).leaked ? [0, 0] : [1, 2];'));
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grade-test-'));
const files: Record<string, string> = {};
let grading: ClassGrading;
let seconds = 0;
const hashes = new Map<string, string>();
const hashOf = (file: string): string => (fs.statSync(file).isDirectory() ? 'dir' : createHash('sha256').update(fs.readFileSync(file)).digest('hex'));

let sandboxed = false;
let listener: net.Server | undefined;
let connections = 0;

describe('grading a synthetic class', { timeout: 1_500_000 }, () => {
  before(async () => {
    // The sandbox attacks need bubblewrap (CI installs it); without it they would succeed by design.
    sandboxed = (await sandboxProblem()) === undefined;
    if (sandboxed) {
      listener = net.createServer((socket) => { connections += 1; socket.destroy(); });
      await new Promise<void>((done) => listener?.listen(0, '127.0.0.1', done));
      const port = (listener.address() as net.AddressInfo).port;
      for (const [name, attack] of Object.entries(sandboxAttacks(port, path.join(dir, 'class', 'full.ipynb')))) {
        CLASS[name] = { file: () => honestWith(attack), scores: [3, 2, 2] };
      }
      CLASS.memoryHog.note = /memory|allocation failed/;
      CLASS.forkBomb.note = /processes/;
    } else {
      console.log(`the sandbox attacks are skipped: ${await sandboxProblem()}`);
    }
    for (const [student, { file }] of Object.entries(CLASS)) {
      const target = path.join(dir, 'class', `${student}.ipynb`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const content = file();
      if (content === 'directory') fs.mkdirSync(target);
      else fs.writeFileSync(target, typeof content === 'string' ? content : JSON.stringify(content, null, 1));
      files[student] = target;
      hashes.set(target, hashOf(target));
    }
    const started = performance.now();
    grading = await gradeClass(FIXTURE, Object.values(files), {
      execute: executeNotebook,
      jobs: 2,
      cellTimeoutSeconds: 15,
      limitSeconds: 300,
      hide: [FIXTURE, ...Object.values(files)],
    });
    seconds = (performance.now() - started) / 1000;
    console.log(`graded ${grading.reports.length} submissions in ${seconds.toFixed(1)} s (${(seconds / grading.reports.length).toFixed(1)} s each, with the reference run)`);
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    listener?.close();
  });

  it('gives every student exactly the expected score per question', () => {
    const got = Object.fromEntries(grading.reports.map((r) => [r.student, r.questions.map((q) => q.earned)]));
    const want = Object.fromEntries(Object.entries(CLASS).map(([s, c]) => [s, c.scores]));
    assert.deepEqual(got, want);
  });

  it('writes the gradebook: a column per question and the total, one row per student', () => {
    const csv = gradebookCsv(grading.columns, grading.reports);
    const lines = csv.trim().split('\n');
    assert.equal(lines[0], 'student,q1,q2,q3,total');
    assert.equal(lines.length, Object.keys(CLASS).length + 1);
    for (const [student, { scores }] of Object.entries(CLASS)) {
      assert.ok(lines.includes([student, ...scores, scores.reduce((a, b) => a + b, 0)].join(',')), `row for ${student}`);
    }
  });

  it('tells each student what happened', () => {
    for (const [student, { note }] of Object.entries(CLASS)) {
      if (note === undefined) continue;
      const report = grading.reports.find((r) => r.student === student);
      const text = [...(report?.notes ?? []), ...(report?.questions.map((q) => q.note ?? '') ?? [])].join('\n');
      assert.match(text, note, `${student}: ${text}`);
    }
    const loop = grading.reports.find((r) => r.student === 'loopInTests');
    assert.match(loop?.questions[2].note ?? '', /ran past the time limit/);
    const crash = grading.reports.find((r) => r.student === 'crashes');
    assert.match(crash?.questions[1].note ?? '', /kernel died/);
    // Nothing was edited in these: no note about the assignment's cells.
    for (const student of ['full', 'fullStudentCopy', 'untouched', 'checksOnly']) {
      const report = grading.reports.find((r) => r.student === student);
      assert.deepEqual(report?.notes, [], `${student}: ${report?.notes.join('; ')}`);
    }
    const stub = grading.reports.find((r) => r.student === 'untouched');
    assert.equal(stub?.questions[0].tests[0].message, 'your answer threw Error: "q1-answer: not implemented yet — replace this line with your solution"');
  });

  it('shows a hidden test\'s name only where its author allows it', () => {
    const report = grading.reports.find((r) => r.student === 'full');
    assert.deepEqual(report?.questions[0].tests.map((t) => t.name), ['square(1.5) is 2.25', 'square(3) is 9', 'hidden test 2']);
    assert.deepEqual(report?.questions[2].tests.map((t) => t.name), ['hidden test 1', 'hidden test 2']);
  });

  it('shows no hidden-test source, solution or instructor stack trace in anything a student sees', () => {
    const fixture = source();
    const secret = fixture.cells.flatMap((c) => {
      const text = cellSource(c);
      const hidden = /BEGIN HIDDEN TESTS([\s\S]*?)END HIDDEN TESTS/.exec(text)?.[1] ?? '';
      const solution = /BEGIN SOLUTION([\s\S]*?)END SOLUTION/.exec(text)?.[1] ?? '';
      return [...hidden.split('\n'), ...solution.split('\n')].map((l) => l.replace(/^\s*\/\/\s*/, '').trim()).filter((l) => l.length > 8);
    });
    assert.ok(secret.length >= 5, 'the fixture has hidden tests and solutions to look for');
    const seen = JSON.stringify(grading.reports) + gradebookCsv(grading.columns, grading.reports);
    for (const line of secret) assert.ok(!seen.includes(line), `a report shows ${JSON.stringify(line)}`);
    assert.doesNotMatch(seen, /\n\s+at |BEGIN HIDDEN|mamlGrading|probeGrade|judgeGrade|node_modules|\/tmp\/|\/work\//);
  });

  it('under bubblewrap, no attack reached the host: no file written outside, no connection made', (t) => {
    if (!sandboxed) return t.skip('bubblewrap does not work here');
    assert.equal(connections, 0);
    assert.equal(fs.existsSync(path.join(__dirname, '..', 'dist', 'leaked-by-a-student.txt')), false);
    assert.equal(fs.existsSync(path.join(os.homedir(), 'leaked-by-a-student.txt')), false);
  });

  it('never modifies a submission', () => {
    for (const [file, hash] of hashes) assert.equal(hashOf(file), hash, file);
  });

  it('grades shards through the CLI, and their merge equals the unsharded rows', () => {
    const part = ['full', 'partial', 'untouched', 'deletedCell', 'notJson'].map((s) => files[s]);
    const outs = [0, 1].map((i) => path.join(dir, `shard-${i}`));
    for (const [i, out] of outs.entries()) {
      execFileSync(process.execPath, [BIN, 'grade', FIXTURE, ...part, '--out', out, '--shard', `${i}/2`, '--cell-timeout', '15'], { stdio: ['ignore', 'pipe', 'pipe'] });
    }
    const merged = path.join(dir, 'merged');
    execFileSync(process.execPath, [BIN, 'grade', '--merge', ...outs, '--out', merged], { stdio: ['ignore', 'pipe', 'pipe'] });
    const names = new Set(['full', 'partial', 'untouched', 'deletedCell', 'notJson']);
    const expected = gradebookCsv(grading.columns, grading.reports.filter((r) => names.has(r.student)));
    assert.equal(fs.readFileSync(path.join(merged, 'gradebook.csv'), 'utf8'), expected);
    const sizes = outs.map((o) => fs.readdirSync(path.join(o, 'reports')).length);
    assert.equal(sizes[0] + sizes[1], 5);
    assert.ok(sizes.every((n) => n > 0), `both shards hold students: ${sizes}`);
  });
});

/**
 * The in-process attacks need no sandbox to fail: graded with isolation 'none' as well, each scores exactly
 * what it scored above (the judge, not the sandbox, is what stops them).
 */
describe('the red team without a sandbox', { timeout: 600_000 }, () => {
  const names = [...Object.keys(ATTACKS), 'cheater', 'lyingAnswer', 'bannedName', 'bannedAlias', 'bannedRequire'];
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'grade-none-'));
  let unsandboxed: ClassGrading;
  before(async () => {
    const submissions = names.map((name) => {
      const file = path.join(folder, `${name}.ipynb`);
      fs.writeFileSync(file, JSON.stringify(CLASS[name].file(), null, 1));
      return file;
    });
    unsandboxed = await gradeClass(FIXTURE, submissions, { execute: executeNotebook, jobs: 2, cellTimeoutSeconds: 15, limitSeconds: 300, isolation: 'none' });
  });
  after(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('scores each in-process attack exactly as under the sandbox', () => {
    const got = Object.fromEntries(unsandboxed.reports.map((r) => [r.student, r.questions.map((q) => q.earned)]));
    assert.deepEqual(got, Object.fromEntries(names.map((n) => [n, CLASS[n].scores])));
    // None ran in a sandbox ('not-run' where the attack broke the kernel's own messaging, JSON.stringify).
    assert.deepEqual(unsandboxed.reports.filter((r) => r.isolation === 'bubblewrap').map((r) => r.student), []);
  });
});
