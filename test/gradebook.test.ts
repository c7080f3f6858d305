/**
 * The grader's bookkeeping, without a kernel: shards, student names, the gradebook CSV, writing and
 * merging output folders, and the CLI's usage errors.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { hiddenPaths } from '../src/cli/grade';
import { gradebookCsv, mergeGradings, parseShard, readGrading, shardOf, studentNames, writeGrading, type ClassGrading, type SubmissionReport } from '../src/homework';

const BIN = path.join(__dirname, '..', 'bin', 'maml-lab.js');
const columns = { questions: [{ id: 'q1', points: 2 }, { id: 'q2', points: 1 }] };
const report = (student: string, q1: number, q2: number): SubmissionReport => ({
  student, file: `${student}.ipynb`, assignment: 'hw', earned: q1 + q2, possible: 3, notes: [], seconds: 1, isolation: 'none',
  questions: [{ id: 'q1', points: 2, earned: q1, tests: [] }, { id: 'q2', points: 1, earned: q2, tests: [] }],
});
const grading = (reports: SubmissionReport[], shard?: { index: number; count: number }, sha = 'abc'): ClassGrading => ({ assignment: 'hw', sourceSha256: sha, columns, shard, reports });

describe('shards', () => {
  it('parses I/N from 0 and refuses anything else, naming the flag', () => {
    assert.deepEqual(parseShard('0/3'), { index: 0, count: 3 });
    assert.throws(() => parseShard('3/3'), /I counts from 0, so it must be below N \(0 … 2\)/);
    assert.throws(() => parseShard('1-3'), /--shard must look like I\/N/);
    assert.throws(() => parseShard('0/0'), /N must be at least 1/);
  });

  it('puts every student in exactly one shard, spread over all of them', () => {
    const students = Array.from({ length: 200 }, (_, i) => `student-${i}`);
    const sizes = [0, 0, 0, 0];
    for (const s of students) sizes[shardOf(s, 4)]++;
    assert.equal(sizes.reduce((a, b) => a + b), 200);
    assert.ok(sizes.every((n) => n >= 30), `shard sizes ${sizes}`);
    assert.equal(shardOf('ada', 4), shardOf('ada', 4));
  });
});

describe('student names', () => {
  it('uses file names, then folder names, and refuses a file given twice', () => {
    assert.deepEqual(studentNames(['a/x.ipynb', 'b/y.ipynb']), ['x', 'y']);
    assert.deepEqual(studentNames(['subs/alice/hw.ipynb', 'subs/bob/hw.ipynb']), ['alice', 'bob']);
    assert.deepEqual(studentNames(['c/alice/hw.ipynb', 'd/alice/hw.ipynb']), ['c/alice/hw', 'd/alice/hw']);
    assert.throws(() => studentNames(['s/a.ipynb', 's/a.ipynb']), /is given twice/);
  });
});

describe('gradebook', () => {
  it('has a column per question and the total, rows sorted, names quoted where CSV needs it', () => {
    const csv = gradebookCsv(columns, [report('zoe', 2, 0), report('Smith, "Al"', 0.5, 1), report('ada', 1.1 + 0.2, 1)]);
    assert.equal(csv, 'student,q1,q2,total\n"Smith, ""Al""",0.5,1,1.5\nada,1.3,1,2.3\nzoe,2,0,2\n');
  });

  it('writes, reads back and merges shards into what one run gives', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradebook-test-'));
    const all = [report('ada', 2, 1), report('bo', 1, 0), report('cy', 0, 0)];
    const parts = [0, 1].map((index) => grading(all.filter((r) => shardOf(r.student, 2) === index), { index, count: 2 }));
    parts.forEach((p, i) => writeGrading(path.join(dir, `s${i}`), p));
    const merged = mergeGradings([1, 0].map((i) => readGrading(path.join(dir, `s${i}`))));
    assert.equal(gradebookCsv(merged.columns, merged.reports), gradebookCsv(columns, all));
    writeGrading(path.join(dir, 'all'), merged);
    assert.equal(fs.readFileSync(path.join(dir, 'all', 'gradebook.csv'), 'utf8'), gradebookCsv(columns, all));
    fs.rmSync(dir, { recursive: true });
  });

  it('refuses to merge a missing or repeated shard, another source, or a student twice', () => {
    const a = grading([report('ada', 1, 1)], { index: 0, count: 2 });
    const b = grading([report('bo', 1, 1)], { index: 1, count: 2 });
    assert.throws(() => mergeGradings([a]), /shard 1\/2 is missing/);
    assert.throws(() => mergeGradings([a, a, b]), /shard 0\/2 is given 2 times/);
    assert.throws(() => mergeGradings([a, grading([report('bo', 1, 1)], { index: 1, count: 2 }, 'other')]), /different source notebooks/);
    assert.throws(() => mergeGradings([a, grading([report('ada', 0, 0)], { index: 1, count: 2 })]), /student ada appears in more than one shard/);
  });

  it('never overwrites a user file, and replaces an earlier gradebook only with force', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradebook-test-'));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    assert.throws(() => writeGrading(dir, grading([])), /already holds files the grader did not write \(notes.txt\)/);
    assert.equal(fs.readFileSync(path.join(dir, 'notes.txt'), 'utf8'), 'mine');
    const out = path.join(dir, 'out');
    writeGrading(out, grading([report('ada', 2, 1)]));
    assert.throws(() => writeGrading(out, grading([])), /already holds a gradebook; pass --force/);
    writeGrading(out, grading([]), { force: true });
    assert.deepEqual(fs.readdirSync(path.join(out, 'reports')), []);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('what a submission cannot see', () => {
  it('the source, the submissions and --out, and their folders unless those hold the package or the temp folder', () => {
    assert.deepEqual(hiddenPaths('/course/hw1.ipynb', ['/subs/a.ipynb', '/subs/b.ipynb'], '/grades/out'), ['/course', '/subs', '/grades/out']);
    const root = path.resolve(__dirname, '..');
    const inRepo = hiddenPaths(path.join(root, 'hw.ipynb'), [path.join(root, 'subs', 'a.ipynb')], path.join(root, 'out'));
    assert.deepEqual(inRepo, [path.join(root, 'subs'), path.join(root, 'hw.ipynb'), path.join(root, 'out')]);
    const tmp = fs.realpathSync(os.tmpdir());
    assert.deepEqual(hiddenPaths(path.join(tmp, 'hw.ipynb'), [path.join(tmp, 'a.ipynb')], path.join(tmp, 'o')), [path.join(tmp, 'hw.ipynb'), path.join(tmp, 'a.ipynb'), path.join(tmp, 'o')]);
  });
});

describe('maml-lab grade: usage errors', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'grade', ...args], { encoding: 'utf8' });
  it('names what is missing or wrong, exit 2', () => {
    for (const [args, message] of [
      [['hw.ipynb', 's.ipynb'], /grade needs --out DIR/],
      [['hw.ipynb', '--out', 'o'], /at least one submission/],
      [['hw.ipynb', 's.ipynb', '--out', 'o', '--shard', '2/2'], /I counts from 0/],
      [['hw.ipynb', 's.ipynb', '--out', 'o', '--jobs', '0'], /--jobs must be a positive number/],
      [['hw.ipynb', 's.ipynb', '--out', 'o', '--isolation', 'docker'], /--isolation must be auto, bubblewrap or none/],
    ] as const) {
      const r = run(...args);
      assert.match(r.stderr, message);
      assert.equal(r.status, 2, r.stderr);
    }
  });
  it('refuses an --out that holds an old gradebook before any kernel starts, exit 1', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grade-cli-'));
    const out = path.join(dir, 'o');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'gradebook.csv'), 'student,total\nada,12\n');
    const source = path.resolve(__dirname, '..', 'notebooks', 'homework', '01-two-step-meta-gradient.ipynb');
    const r = run(source, source, '--out', out, '--isolation', 'none');
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /already holds a gradebook; pass --force/);
    assert.doesNotMatch(r.stderr, /grading 1 submission/, 'no kernel may start: the refusal comes before the reference run');
    assert.equal(fs.readFileSync(path.join(out, 'gradebook.csv'), 'utf8'), 'student,total\nada,12\n', 'the old gradebook is left as it was');
    fs.rmSync(dir, { recursive: true });
  });
  it('says when the source is not an assignment, exit 1', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'grade-cli-'));
    fs.writeFileSync(path.join(dir, 'hw.ipynb'), '{"nbformat": 4, "metadata": {}, "cells": []}');
    const r = run(path.join(dir, 'hw.ipynb'), path.join(dir, 'hw.ipynb'), '--out', path.join(dir, 'o'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /not tslab/);
    fs.rmSync(dir, { recursive: true });
  });
});
