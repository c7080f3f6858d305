/**
 * Paths and environment shared by setup.ts, lab.ts and run-notebooks.ts, so that the kernel the tests
 * use is exactly the one `npm start` serves.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The package root (the folder holding package.json). */
export const projectRoot: string = path.resolve(__dirname, '..');

/** The project's private Python environment, created by `npm run setup`. */
export const venvDir: string = path.join(projectRoot, '.venv');

/** The venv's Python interpreter. */
export const venvPython: string = path.join(venvDir, 'bin', 'python');

/** The Jupyter data dir inside the venv; it holds our tslab kernelspec. */
export const jupyterDataDir: string = path.join(venvDir, 'share', 'jupyter');

/** Where setup.ts writes the tslab kernelspec. */
export const kernelSpecFile: string = path.join(jupyterDataDir, 'kernels', 'tslab', 'kernel.json');

/**
 * JupyterLab settings defaults that setup writes. overrides.d/ holds one file per package (ours is
 * maml-lab.json); overrides.json beside it stays the user's, and JupyterLab applies it on top of these.
 */
export const labSettingsFile: string = path.join(jupyterDataDir, 'lab', 'settings', 'overrides.d', 'maml-lab.json');

/** The tslab launcher the kernelspec points at (a node script, run with the node that ran setup). */
export const tslabBin: string = path.join(projectRoot, 'node_modules', 'tslab', 'bin', 'tslab');

/** The folder JupyterLab serves and `npm run notebooks` executes by default. */
export const notebooksDir: string = path.join(projectRoot, 'notebooks');

/** Path of an executable inside the venv (`jupyter`, `pip`, ...). */
export function venvBin(name: string): string {
  return path.join(venvDir, 'bin', name);
}

/**
 * The environment for every Jupyter process we start. JUPYTER_PATH goes first in Jupyter's search order,
 * so our kernelspec wins over a `tslab` kernelspec a user installed in ~/.local/share/jupyter. From a venv
 * jupyter_core already prefers the venv, but not when the user sets JUPYTER_PREFER_ENV_PATH=0 (checked).
 */
export function jupyterEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const jupyterPath = [jupyterDataDir, base.JUPYTER_PATH].filter((p) => p !== undefined && p !== '');
  const binPath = [path.join(venvDir, 'bin'), base.PATH].filter((p) => p !== undefined && p !== '');
  return {
    ...base,
    JUPYTER_PATH: jupyterPath.join(path.delimiter),
    PATH: binPath.join(path.delimiter),
    VIRTUAL_ENV: venvDir,
    PYTHONUNBUFFERED: '1',
  };
}

/**
 * Throws a message that says what to run when `npm run setup` has not been done (or was undone), rather
 * than letting a spawn fail with a bare ENOENT.
 */
export function assertSetupDone(): void {
  const missing = [venvPython, kernelSpecFile].filter((file) => !fs.existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `Jupyter is not set up (missing ${missing.map((f) => path.relative(projectRoot, f)).join(', ')}); ` +
        'run `npm run setup` first.',
    );
  }
}

/**
 * Runs a command from the project root with its output captured; throws, naming `what`, only when the
 * command could not start at all (the caller judges the exit status).
 */
export function runCaptured(command: string, args: string[], what: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    cwd: projectRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    // pip's resolver output for large wheels can pass the default 1 MiB buffer.
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error !== undefined) throw new Error(`${what} failed: could not run ${command}: ${result.error.message}`);
  return result;
}

/**
 * `pip install --quiet --retries 0 …` into the venv. --retries 0: pip is served from an on-disk mirror
 * here, so a miss is final and retrying only wastes minutes. On failure it throws with pip's output, minus
 * the warning this machine's pip config prints once per package about a mirror folder that does not
 * exist, which would bury the real error.
 */
export function venvPipInstall(args: string[], what: string): void {
  const result = runCaptured(venvPython, ['-m', 'pip', 'install', '--quiet', '--retries', '0', ...args], what);
  if (result.status !== 0) {
    const noise = /^WARNING: Location '.*' is ignored: it is neither a file nor a directory\.$/;
    const output = `${result.stdout}\n${result.stderr}`
      .split('\n')
      .filter((line) => line.trim() !== '' && !noise.test(line))
      .join('\n');
    throw new Error(`${what} failed (exit ${result.status}):\n${output}`);
  }
}
