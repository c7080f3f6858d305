/**
 * The notebook runner's command line: the report front-end of the package's executor
 * (python/run_notebooks.py), which `npm run notebooks` and `npm run book` start. Building the command is
 * all that is here: the caller spawns it, shows its report and forwards Ctrl-C.
 */
import path from 'node:path';
import { executorDir, jupyterEnv, venvPython } from './venv';

/** What the runner is asked to do. */
export interface RunnerOptions {
  notebooks: string[];
  timeoutSeconds: number;
  /** Also write each executed notebook, with its outputs, into this folder (what `npm run book` exports). */
  saveExecutedTo?: string;
  /**
   * A development checkout's scripts/notebook_outputs.py: fail notebooks committed with outputs, and clear
   * the view state a reader's working copy carries before the run.
   */
  notebookOutputsModule?: string;
}

/** A process to start: program, arguments and environment. */
export interface Command {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * The command that runs the notebooks and prints the report: a PASS/FAIL line per notebook with the
 * failures under it, then `N passed, N failed`; exit status 0 only when all passed, 128 + the signal
 * number when SIGINT, SIGTERM or SIGHUP stopped it (see python/run_notebooks.py).
 *
 * @example
 * import { notebookRunnerCommand } from 'maml-lab/notebook';
 * const { args } = notebookRunnerCommand({ notebooks: ['a.ipynb'], timeoutSeconds: 60 });
 * args.slice(1) // ["--timeout", "60", "a.ipynb"]
 */
export function notebookRunnerCommand(options: RunnerOptions): Command {
  const args = [
    path.join(executorDir, 'run_notebooks.py'),
    '--timeout',
    String(options.timeoutSeconds),
    ...(options.saveExecutedTo === undefined ? [] : ['--save-executed', options.saveExecutedTo]),
    ...(options.notebookOutputsModule === undefined ? [] : ['--notebook-outputs-module', options.notebookOutputsModule]),
    ...options.notebooks,
  ];
  return { command: venvPython, args, env: jupyterEnv() };
}
