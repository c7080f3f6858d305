/**
 * `npm run notebooks` / the end of `npm test`: executes notebooks through the real tslab kernel.
 *
 *   tsx scripts/run-notebooks.ts [--timeout SECONDS] [NOTEBOOK.ipynb ...]
 *
 * Without paths it runs every notebooks/*.ipynb in name order. The work is done by the package's notebook
 * executor (python/run_notebooks.py, the report front-end of the executor the grader uses too); this
 * wrapper picks the notebooks, checks setup, adds the development checks of scripts/notebook_outputs.py
 * (committed outputs) and forwards Ctrl-C.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLAIM_LEDGER_ENV } from '../src/notebook/claim';
import { notebookRunnerCommand, type RunnerOptions } from '../src/notebook/runner';
import { assertSetupDone, notebooksDir, projectRoot } from './jupyter';

export type { RunnerOptions } from '../src/notebook/runner';

/** Per-cell timeout when none is given: generous, since a cell may train a small network. */
export const DEFAULT_CELL_TIMEOUT_S = 600;

const USAGE = 'usage: tsx scripts/run-notebooks.ts [--timeout SECONDS] [NOTEBOOK.ipynb ...]';

/** Every notebooks/*.ipynb, sorted, so the numbered notebooks run in reading order. */
export function defaultNotebooks(): string[] {
  if (!fs.existsSync(notebooksDir)) return [];
  return fs
    .readdirSync(notebooksDir)
    .filter((name) => name.endsWith('.ipynb'))
    .sort()
    .map((name) => path.join(notebooksDir, name));
}

/** Parses the command line; throws with the usage on anything it does not understand. */
export function parseArgs(argv: readonly string[]): RunnerOptions {
  let timeoutSeconds = DEFAULT_CELL_TIMEOUT_S;
  const notebooks: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--timeout' || arg.startsWith('--timeout=')) {
      const value = arg === '--timeout' ? argv[++i] : arg.slice('--timeout='.length);
      timeoutSeconds = Number(value);
      if (!Number.isInteger(timeoutSeconds) || timeoutSeconds <= 0) {
        throw new Error(`--timeout needs a whole number of seconds, got ${String(value)}.\n${USAGE}`);
      }
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown option ${arg}.\n${USAGE}`);
    } else {
      notebooks.push(path.resolve(arg));
    }
  }
  if (notebooks.length === 0) {
    const found = defaultNotebooks();
    if (found.length === 0) {
      // Zero notebooks is a broken checkout or glob, never a pass.
      throw new Error(`no notebooks found in ${path.relative(process.cwd(), notebooksDir) || '.'}/ (expected *.ipynb).`);
    }
    notebooks.push(...found);
  }
  for (const file of notebooks) {
    if (!file.endsWith('.ipynb')) throw new Error(`${file} is not a .ipynb file.\n${USAGE}`);
    if (!fs.existsSync(file)) throw new Error(`${file} does not exist.`);
  }
  return { notebooks, timeoutSeconds };
}

/** Runs the notebook runner on the notebooks and resolves with its exit code. */
export async function runNotebooks(options: RunnerOptions): Promise<number> {
  assertSetupDone();
  if (process.env[CLAIM_LEDGER_ENV]) {
    // Ledger mode (scripts/claims-ledger.ts) records claims instead of throwing: a PASS below proves nothing.
    console.error(`run-notebooks: ${CLAIM_LEDGER_ENV} is set, so a false claim is recorded in ${process.env[CLAIM_LEDGER_ENV]} and does not fail its notebook`);
  }
  const notebookOutputsModule = path.join(projectRoot, 'scripts', 'notebook_outputs.py');
  const { command, args, env } = notebookRunnerCommand({ notebookOutputsModule, ...options });
  // A process group of its own, so a signal reaches the runner exactly once (forwarded below): a second
  // Ctrl-C from the terminal landing in the middle of its kernel shutdown could leave a tslab process
  // behind, and tslab kernels do not exit when their parent dies.
  const child = spawn(command, args, { stdio: 'inherit', env, detached: true });
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, forward);
  return await new Promise((resolve, reject) => {
    child.on('error', (error) => reject(new Error(`could not start ${command}: ${error.message}`)));
    child.on('exit', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      resolve(code ?? 128 + (signal !== null ? os.constants.signals[signal] : 0));
    });
  });
}

if (require.main === module) {
  let options: RunnerOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`run-notebooks: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
  runNotebooks(options).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`run-notebooks: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
