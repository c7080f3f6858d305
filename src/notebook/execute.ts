/**
 * The notebook executor, as the grader (and any program) calls it: one notebook in, one NotebookRun out.
 * The work is done by the package's Python module (python/execute_notebook.py → maml_lab_exec/core.py,
 * nbclient over the real tslab kernel), the same code `npm run notebooks` and `npm run book` run.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExecuteOptions, NotebookRun } from '../homework/executor';
import { assertSetupDone, executorDir, jupyterEnv, packageRoot, venvPython } from './venv';

// The types are declared where the grader, their consumer below this layer, can see them.
export type { CellRun, ExecuteOptions, NotebookRun } from '../homework/executor';


/** Keeps the last `max` characters of what a stream said: enough to explain a crash, bounded. */
function tail(max: number): { add: (chunk: Buffer) => void; text: () => string } {
  let text = '';
  return { add: (chunk) => void (text = (text + chunk.toString()).slice(-max)), text: () => text.trim() };
}

/**
 * The node_modules the kernel should resolve `maml-lab` (and tslab's `@types/node`) from: the package's
 * own (it holds the `maml-lab` self-link) in a checkout, the one the package is installed in otherwise.
 */
function packageNodeModules(): string {
  const parent = path.dirname(packageRoot);
  return path.basename(parent) === 'node_modules' ? parent : path.join(packageRoot, 'node_modules');
}

/** True when Node's resolution from `dir` (walking up) finds `maml-lab`. */
function resolvesPackage(dir: string): boolean {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    if (fs.existsSync(path.join(at, 'node_modules', 'maml-lab', 'package.json'))) return true;
    if (path.dirname(at) === at) return false;
  }
}

/**
 * Why a kernel cannot be sandboxed with bubblewrap here, or undefined when it can: the executor's own
 * probe (python/maml_lab_exec/isolation.py, `bwrap_problem`), run once with every flag the sandbox uses,
 * so a caller can decide before grading what `isolation: 'auto'` would silently do.
 *
 * @example
 * import { sandboxProblem } from 'maml-lab/notebook';
 * const problem = await sandboxProblem();
 * console.log(problem ?? 'bubblewrap works here');
 */
export async function sandboxProblem(python: string = venvPython): Promise<string | undefined> {
  assertSetupDone(python);
  const probe = 'import sys; sys.path.insert(0, sys.argv[1]); from maml_lab_exec.isolation import bwrap_problem; print(bwrap_problem() or "")';
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(python, ['-c', probe, executorDir], { env: jupyterEnv(), timeout: 30_000 }, (error, out, err) => {
      if (error) reject(new Error(`sandboxProblem: the probe failed: ${error.message}\n${err}`));
      else resolve(out);
    });
  });
  return stdout.trim() === '' ? undefined : stdout.trim();
}

/**
 * Runs a notebook's code cells in a fresh tslab kernel and says what became of each: status from the
 * kernel's reply (output on stderr is not a failure), outputs, error text, time, retries. One bad cell
 * never stops the run: failures are recorded and the next cell runs; with `retryAborted` the cells
 * tslab aborts right after a failure are re-sent; a cell past its timeout is interrupted (the kernel is
 * restarted when it does not answer within 5 s) and a dead kernel is restarted with the earlier 'ok'
 * cells replayed (`restartDeadKernel`).
 *
 * The kernel starts in `cwd`; when Node's resolution from there cannot find `maml-lab`, a `node_modules`
 * symlink to the package's node_modules is made in `cwd` so notebooks can import it. With bubblewrap
 * (python/maml_lab_exec/isolation.py) the kernel sees only the system (/usr, a few /etc files), the
 * built package (package.json, dist/, node_modules) read-only, and a fresh `cwd` and /tmp of
 * `fileLimitMb` each (what it writes there stays in the sandbox); `hide` is blanked in case it lies in
 * any of that; it has its own PID namespace and no network (its ZMQ sockets are unix sockets bound into
 * the sandbox). Without it the kernel can read and write whatever this user can; the request file
 * holding the notebook is deleted before the kernel starts, and the result is written after it is gone.
 *
 * Either way each kernel runs under `memoryLimitMb` (RLIMIT_DATA per process, and a watchdog on the sum
 * of its processes' memory), `processLimit` (the watchdog) and `fileLimitMb` (RLIMIT_FSIZE), and the
 * run's output under `maxTotalOutputBytes`; a cell that ran into one says so in `limit` and `reason`.
 *
 * Rejects when the executor cannot run at all (no `npm run setup`, a bad option, a crash), and with
 * `signal.reason` when the signal aborts the run (the kernel is shut down first).
 *
 * @example
 * import fs from 'node:fs';
 * import os from 'node:os';
 * import path from 'node:path';
 * import { executeNotebook } from 'maml-lab/notebook';
 * const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'execute-example-'));
 * const code = (id: string, source: string) => ({ cell_type: 'code', id, metadata: {}, execution_count: null, outputs: [], source });
 * const notebook = {
 *   nbformat: 4, nbformat_minor: 5,
 *   metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
 *   cells: [code('a', 'console.log(6 * 7)'), code('b', 'throw new Error("no")'), code('c', 'console.log("still runs")')],
 * };
 * const run = await executeNotebook(notebook, { cwd, cellTimeoutSeconds: 30, retryAborted: true, isolation: 'none' });
 * run.cells.map((c) => c.status) // ["ok", "error", "ok"]
 * fs.rmSync(cwd, { recursive: true });
 */
export async function executeNotebook(notebook: object, options: ExecuteOptions, signal?: AbortSignal): Promise<NotebookRun> {
  signal?.throwIfAborted();
  const { python = venvPython, ...request } = options;
  if (!fs.existsSync(options.cwd) || !fs.statSync(options.cwd).isDirectory()) {
    throw new Error(`executeNotebook: cwd ${options.cwd} is not a folder`);
  }
  if (!(options.cellTimeoutSeconds > 0)) {
    throw new Error(`executeNotebook: cellTimeoutSeconds must be a positive number of seconds, got ${options.cellTimeoutSeconds}`);
  }
  for (const key of ['memoryLimitMb', 'processLimit', 'fileLimitMb', 'maxTotalOutputBytes', 'maxOutputBytes'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw new Error(`executeNotebook: ${key} must be a positive whole number, got ${value}`);
    }
  }
  assertSetupDone(python);
  if (!resolvesPackage(options.cwd)) fs.symlinkSync(packageNodeModules(), path.join(options.cwd, 'node_modules'));

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-execute-'));
  try {
    const requestFile = path.join(dir, 'request.json');
    const resultFile = path.join(dir, 'result.json');
    fs.writeFileSync(requestFile, JSON.stringify({ notebook, options: { ...request, cwd: path.resolve(options.cwd) } }));
    const child = spawn(python, [path.join(executorDir, 'execute_notebook.py'), requestFile, resultFile], {
      env: jupyterEnv(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const stderr = tail(4000);
    child.stderr.on('data', stderr.add);
    // SIGTERM: the executor shuts the kernel down, writes what ran, and exits.
    const abort = (): void => void child.kill('SIGTERM');
    signal?.addEventListener('abort', abort, { once: true });
    const exit = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
      child.on('error', (error) => resolve({ code: null, error }));
      child.on('close', (code) => resolve({ code }));
    });
    signal?.removeEventListener('abort', abort);
    if (exit.error !== undefined) throw new Error(`executeNotebook: could not start ${python}: ${exit.error.message}`);
    signal?.throwIfAborted();
    if (exit.code !== 0 || !fs.existsSync(resultFile)) {
      throw new Error(`executeNotebook: the executor failed (exit code ${exit.code}):\n${stderr.text()}`);
    }
    return JSON.parse(fs.readFileSync(resultFile, 'utf8')) as NotebookRun;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
