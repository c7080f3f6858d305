/**
 * Where the package's Python environment is: the `.venv` that `npm run setup` makes at the package root,
 * holding Jupyter, nbclient and the tslab kernelspec. The notebook executor (python/ in the package)
 * runs there; scripts/jupyter.ts re-exports these for setup, lab and the notebook runner.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The package root (the folder holding package.json): two levels up from src/notebook and dist/notebook. */
export const packageRoot: string = path.resolve(__dirname, '..', '..');

/** The project's private Python environment, created by `npm run setup`. */
export const venvDir: string = path.join(packageRoot, '.venv');

/** The venv's Python interpreter. */
export const venvPython: string = path.join(venvDir, 'bin', 'python');

/** The Jupyter data dir inside the venv; it holds our tslab kernelspec. */
export const jupyterDataDir: string = path.join(venvDir, 'share', 'jupyter');

/** Where setup writes the tslab kernelspec. */
export const kernelSpecFile: string = path.join(jupyterDataDir, 'kernels', 'tslab', 'kernel.json');

/** The executor's Python modules, shipped in the package (package.json "files"). */
export const executorDir: string = path.join(packageRoot, 'python');

/**
 * What to run to make the venv, for error messages: the same code behind both (src/notebook/setup.ts).
 * A checkout has `npm run setup`; where the package is installed (a student's handout), only its bin.
 */
export const SETUP_HINT: string = fs.existsSync(path.join(packageRoot, 'scripts', 'setup.ts'))
  ? `run \`npm run setup\` first (in ${packageRoot})`
  : 'run `npx maml-lab setup` (or `npm start`) first, in the folder that has maml-lab in its node_modules';

/**
 * Path of an executable inside the venv (`jupyter`, `pip`, ...).
 *
 * @example
 * import { venvBin } from './venv';
 * venvBin('jupyter').endsWith('/.venv/bin/jupyter') // true
 */
export function venvBin(name: string): string {
  return path.join(venvDir, 'bin', name);
}

/**
 * The environment for every Jupyter process we start. JUPYTER_PATH goes first in Jupyter's search order,
 * so our kernelspec wins over a `tslab` kernelspec a user installed in ~/.local/share/jupyter. From a venv
 * jupyter_core already prefers the venv, but not when the user sets JUPYTER_PREFER_ENV_PATH=0 (checked).
 *
 * @example
 * import { jupyterEnv } from 'maml-lab/notebook';
 * jupyterEnv({ PATH: '/usr/bin' }).PATH.endsWith(':/usr/bin') // true
 */
export function jupyterEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv & { PATH: string } {
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
 * than letting a spawn fail with a bare ENOENT. `python` is the interpreter about to be used; the
 * kernelspec is only required of the package's own venv (another interpreter brings its own).
 *
 * @example
 * import { assertSetupDone } from 'maml-lab/notebook';
 * try { assertSetupDone('/no/such/python'); } catch (error) { console.log((error as Error).message); }
 */
export function assertSetupDone(python: string = venvPython): void {
  const needed = python === venvPython ? [venvPython, kernelSpecFile] : [python];
  const missing = needed.filter((file) => !fs.existsSync(file));
  if (missing.length > 0) {
    const shown = missing.map((f) => (f.startsWith(packageRoot) ? path.relative(packageRoot, f) : f));
    throw new Error(`Jupyter is not set up (missing ${shown.join(', ')}); ${SETUP_HINT}.`);
  }
}
