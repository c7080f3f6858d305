/**
 * Paths and environment shared by setup.ts, lab.ts and run-notebooks.ts, so that the kernel the tests
 * use is exactly the one `npm start` serves.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import path from 'node:path';

import { jupyterDataDir, packageRoot, venvDir, venvPython } from '../src/notebook/venv';

// The venv's paths and environment belong to the package (the notebook executor needs them at run time).
export { assertSetupDone, jupyterDataDir, jupyterEnv, kernelSpecFile, venvDir, venvPython } from '../src/notebook/venv';

/** The package root (the folder holding package.json). */
export const projectRoot: string = packageRoot;

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
