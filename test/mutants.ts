/*
 * The planted breaks of the notebooks' claims, and how one is run: shared by the mutation test
 * (test/notebook-mutations.test.ts, which CI runs) and the claims ledger (scripts/claims-ledger.ts, which
 * records which claims each break fails). Not a test file itself.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BREAKS as b00 } from './breaks/00-maml-from-scratch';
import { BREAKS as b01 } from './breaks/01-bilevel-optimization';
import { BREAKS as b02 } from './breaks/02-chain-rule';
import { BREAKS as b03 } from './breaks/03-first-order-maml';
import { BREAKS as b04 } from './breaks/04-curvature-and-first-order';
import { BREAKS as b05 } from './breaks/05-hessian-of-mse';
import { BREAKS as b06 } from './breaks/06-reptile';
import { BREAKS as b07 } from './breaks/07-imaml';
import { BREAKS as b08 } from './breaks/08-sinusoid';
import { BREAKS as b09 } from './breaks/09-four-methods';
import { BREAKS as b10 } from './breaks/10-kernel';
import { BREAKS as b11 } from './breaks/11-is-my-maml-exact';

export const root = path.resolve(__dirname, '..');
export const dist = path.join(root, 'dist');
export const venvPython = path.join(root, '.venv', 'bin', 'python');

/** One deliberate bug: where it goes in dist/, the exact text it replaces, and the notebook that must catch it. */
export interface Mutation {
  name: string;
  /**
   * The file it edits: a path under dist/ (a bug in the built package), or one under results/ starting
   * with `results/` (a stored run that is not what the notebook says it is).
   */
  file: string;
  find: string;
  replace: string;
  notebook: string;
  /** What the failing run must say: a failed claim, unless the break makes the library refuse first. */
  caughtBy: RegExp;
  /**
   * The engine the notebook runs on (MAML_LAB_ENGINE): a break in tfjs code is looked for on tfjs, a break
   * in the kernel on the kernel (an MLP's default), so that each is exercised where it is planted.
   */
  engine: 'kernel' | 'tfjs';
}

/** Every planted break, one file per notebook under test/breaks/ (each notebook's breaks have one owner). */
export const MUTATIONS: Mutation[] = [...b00, ...b01, ...b02, ...b03, ...b04, ...b05, ...b06, ...b07, ...b08, ...b09, ...b10, ...b11];

const made: string[] = [];

/** Removes every throw-away root made so far. */
export function removeMutantRoots(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * A throw-away package root: package.json, a copy of dist/ with the mutation applied, node_modules whose
 * entries link to the project's (maml-lab itself links back to this root, as `file:.` does in the project),
 * results/ linked, and a copy of the notebook in notebooks/, so `import … from 'maml-lab'` in the notebook
 * loads the mutant.
 */
export function mutantRoot(m: Mutation | { notebook: string }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-mutant-'));
  made.push(dir);
  fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
  fs.cpSync(dist, path.join(dir, 'dist'), { recursive: true });
  const inResults = 'find' in m && m.file.startsWith('results/');
  // notebooks read the committed full runs as ../results: linked, or copied when the break edits one
  if (inResults) fs.cpSync(path.join(root, 'results'), path.join(dir, 'results'), { recursive: true });
  else fs.symlinkSync(path.join(root, 'results'), path.join(dir, 'results'));
  if ('find' in m) {
    const relative = inResults ? m.file : path.join('dist', m.file);
    const target = path.join(dir, relative);
    const text = fs.readFileSync(target, 'utf8');
    const count = text.split(m.find).length - 1;
    assert.equal(count, 1, `the mutation "${m.name}" must find its text exactly once in ${relative}, found ${count} (did the code change? update the mutation)`);
    fs.writeFileSync(target, text.replace(m.find, m.replace));
  }
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(modules);
  for (const entry of fs.readdirSync(path.join(root, 'node_modules'))) {
    if (entry === 'maml-lab') continue;
    fs.symlinkSync(path.join(root, 'node_modules', entry), path.join(modules, entry));
  }
  fs.symlinkSync('..', path.join(modules, 'maml-lab'));
  fs.mkdirSync(path.join(dir, 'notebooks'));
  fs.copyFileSync(path.join(root, 'notebooks', m.notebook), path.join(dir, 'notebooks', m.notebook));
  return dir;
}

/**
 * Runs one notebook of a throw-away root through the project's runner on an engine; its exit status and
 * output. Asynchronous, so that a caller may run two at once (each run is one kernel on one core).
 */
export function runNotebook(dir: string, notebook: string, engine: 'kernel' | 'tfjs' = 'kernel', env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(root, 'scripts', 'run-notebooks.ts'), path.join(dir, 'notebooks', notebook)], {
      cwd: root,
      env: { ...process.env, ...env, MAML_LAB_ENGINE: engine },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGTERM'), 590_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

