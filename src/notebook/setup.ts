/**
 * The Python side a notebook needs, made by the package itself: `.venv` (JupyterLab, nbclient, nbconvert,
 * plotly from pip), the tslab kernelspec and our JupyterLab settings in it. `maml-lab setup`, `maml-lab
 * lab` (a student's `npm start` in a handout) and the checkout's `npm run setup` (scripts/setup.ts, which
 * adds only the developers' git filter) all run `setupJupyter`, so there is one implementation. It lives in
 * src/notebook, not scripts/, because an installed package has no scripts/.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { jupyterDataDir, packageRoot, SETUP_HINT, venvDir, venvPython, kernelSpecFile } from './venv';

/** The Python packages the venv must provide, as imported. */
// plotly brings JupyterLab's renderer for application/vnd.plotly.v1+json, the MIME type maml-lab's figures use.
const PY_MODULES = ['jupyterlab', 'nbclient', 'nbconvert', 'plotly'] as const;
// Ranges, not pins: the mirror serves what it has; the notebook executor (python/) relies on nbclient's
// async_setup_kernel and process_message (0.6+) and was verified with nbclient 0.11.
const PY_REQUIREMENTS = ['jupyterlab>=4,<5', 'nbclient>=0.10,<0.12', 'nbconvert>=7,<8', 'plotly>=6,<8'] as const;

/**
 * The tslab launcher the kernelspec points at (a node script, run with the node that ran setup). Resolved
 * from the package, since where it is installed (a handout) npm hoists tslab next to it, not inside it.
 *
 * @example
 * import { tslabBin } from './setup';
 * tslabBin.endsWith('/tslab/bin/tslab') // true
 */
export const tslabBin: string = (() => {
  try {
    return path.join(path.dirname(require.resolve('tslab/package.json', { paths: [packageRoot] })), 'bin', 'tslab');
  } catch {
    // Not installed: name the place a checkout would have it, so the error below says what is missing.
    return path.join(packageRoot, 'node_modules', 'tslab', 'bin', 'tslab');
  }
})();

/**
 * JupyterLab settings defaults that setup writes. overrides.d/ holds one file per package (ours is
 * maml-lab.json); overrides.json beside it stays the user's, and JupyterLab applies it on top of these.
 *
 * @example
 * import { labSettingsFile } from './setup';
 * labSettingsFile.endsWith('/lab/settings/overrides.d/maml-lab.json') // true
 */
export const labSettingsFile: string = path.join(jupyterDataDir, 'lab', 'settings', 'overrides.d', 'maml-lab.json');

/**
 * JupyterLab defaults for this project. The news question ("Would you like to get notified about
 * official Jupyter news?") otherwise covers every notebook on first start, and both settings make
 * JupyterLab contact a website. Names from the installed schema,
 * .venv/share/jupyter/lab/schemas/@jupyterlab/apputils-extension/notification.json (fetchNews is a
 * string: "true", "false" or "none" = ask); test/lab-settings.test.ts checks them against it.
 *
 * @example
 * import { LAB_SETTINGS } from './setup';
 * LAB_SETTINGS['@jupyterlab/apputils-extension:notification'].checkForUpdates // false
 */
export const LAB_SETTINGS = {
  '@jupyterlab/apputils-extension:notification': { fetchNews: 'false', checkForUpdates: false },
} as const;

/**
 * The module the kernel loads before tslab (src/notebook/tslabPreload.ts, built): from dist/, since the
 * kernel's node runs JavaScript, whether setup itself runs from dist/ (a handout) or from src/ (tsx).
 *
 * @example
 * import { tslabPreload } from './setup';
 * tslabPreload.endsWith('/dist/notebook/tslabPreload.js') // true
 */
export const tslabPreload: string = path.join(packageRoot, 'dist', 'notebook', 'tslabPreload.js');

/** The kernelspec setup writes; tslab's own installer imports IPython, which we do not want to need. */
export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
}

/**
 * The tslab kernelspec for this installation and this node binary.
 *
 * @example
 * import { tslabKernelSpec, tslabBin } from './setup';
 * tslabKernelSpec().argv[0] === process.execPath // true
 * tslabKernelSpec().argv[3] === tslabBin // true
 */
export function tslabKernelSpec(): KernelSpec {
  return {
    // Absolute node path: Jupyter may start the kernel with a PATH where `node` is another version.
    // tslabPreload repairs two things in tslab before it starts (see that file).
    argv: [process.execPath, '--require', tslabPreload, tslabBin, 'kernel', '--config-path', '{connection_file}'],
    display_name: 'TypeScript (tslab)',
    language: 'typescript',
  };
}

/**
 * Runs a command from the package root with its output captured; throws, naming `what`, only when the
 * command could not start at all (the caller judges the exit status).
 *
 * @example
 * import { runCaptured } from './setup';
 * runCaptured('python3', ['-c', 'print(6 * 7)'], 'Asking python').stdout.trim() // "42"
 */
export function runCaptured(command: string, args: string[], what: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    cwd: packageRoot,
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
 *
 * `python` is the venv's interpreter: the package's `.venv` unless another venv is named (the doctor's
 * exporter test keeps torch and jax in one of their own).
 *
 * @example
 * import { venvPipInstall } from './setup';
 * // the venv already has nbclient, so pip only checks
 * venvPipInstall(['nbclient>=0.10'], 'Checking nbclient');
 */
export function venvPipInstall(args: string[], what: string, python: string = venvPython): void {
  const result = runCaptured(python, ['-m', 'pip', 'install', '--quiet', '--retries', '0', ...args], what);
  if (result.status !== 0) {
    const noise = /^WARNING: Location '.*' is ignored: it is neither a file nor a directory\.$/;
    const output = `${result.stdout}\n${result.stderr}`
      .split('\n')
      .filter((line) => line.trim() !== '' && !noise.test(line))
      .join('\n');
    throw new Error(`${what} failed (exit ${result.status}):\n${output}`);
  }
}

function checkPrerequisites(): void {
  const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (python.error !== undefined || python.status !== 0) {
    throw new Error('python3 was not found on PATH; install Python 3 (with its venv module) and run setup again.');
  }
  if (!fs.existsSync(tslabBin)) {
    throw new Error(`${tslabBin} is missing; run \`npm install\` (or \`npm ci\`) first.`);
  }
}

/**
 * Creates a venv with `python3 -m venv` unless its interpreter already exists; true when it created it.
 * `dir` is the package's `.venv` unless another is named (the doctor's exporter test keeps torch and jax
 * apart from it). Throws, saying which Debian package is missing, when venv fails.
 *
 * @example
 * import { ensureVenv } from './setup';
 * // setup has made .venv already (a new venv would take seconds: venv installs pip into it)
 * ensureVenv(); // false
 */
export function ensureVenv(dir: string = venvDir): boolean {
  const python = path.join(dir, 'bin', 'python');
  if (fs.existsSync(python)) return false;
  // Also repairs a half-made venv: venv fills in what is missing without touching installed packages.
  const result = runCaptured('python3', ['-m', 'venv', dir], `Creating ${dir}`);
  if (result.status !== 0 || !fs.existsSync(python)) {
    throw new Error(
      `Creating ${dir} with \`python3 -m venv\` failed (on Debian/Ubuntu the venv module is the python3-venv ` +
        `package):\n${result.stderr.trim()}`,
    );
  }
  return true;
}

function missingModules(): string[] {
  // find_spec, not import: importing these three takes ~1.5 s (jupyter_client, zmq, ...), which would make
  // every `npm test` and `npm start` pay for a check that almost always passes. A package that is present
  // but broken still fails loudly the moment Jupyter starts.
  const probe =
    `import importlib.util\nfor m in ${JSON.stringify(PY_MODULES)}:\n` +
    '    if importlib.util.find_spec(m) is None: print(m)';
  const result = runCaptured(venvPython, ['-c', probe], 'Checking the venv');
  if (result.status !== 0) {
    throw new Error(`${venvPython} does not run (${result.stderr.trim()}); delete ${venvDir} and ${SETUP_HINT}.`);
  }
  return result.stdout.split('\n').filter((line) => line.trim() !== '');
}

function pipInstall(): void {
  venvPipInstall([...PY_REQUIREMENTS], `\`pip install ${PY_REQUIREMENTS.join(' ')}\` into ${venvDir}`);
  const still = missingModules();
  if (still.length > 0) {
    throw new Error(`pip install finished but ${still.join(', ')} still cannot be found in ${venvDir}.`);
  }
}

/** Writes `text` to `file` unless it already holds exactly that; true when it wrote. */
function writeIfChanged(file: string, text: string): boolean {
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return false;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return true;
}

/**
 * Makes the package's venv ready for JupyterLab and the notebook executor, doing only the steps not
 * already done: the venv, the pip packages, the kernelspec (rewritten when node or tslab moved), the lab
 * settings. Says what it is about to do before the slow step (`say`), and returns what it changed, for a
 * closing "ready" line. Idempotent and about 0.2 s when all is in place; about 20 s the first time.
 *
 * @example
 * import { setupJupyter } from './setup';
 * // in a checkout where `npm run setup` has run, there is nothing left to do
 * setupJupyter(() => undefined) // []
 */
export function setupJupyter(say: (line: string) => void): string[] {
  checkPrerequisites();
  const done: string[] = [];
  const fresh = ensureVenv();
  const missing = missingModules();
  if (missing.length > 0) {
    say(
      fresh
        ? `setup: installing ${PY_MODULES.join(', ')} into ${venvDir} (first run, about 20 s)...`
        : `setup: ${venvDir} lacks ${missing.join(', ')}; installing (about 20 s)...`,
    );
    pipInstall();
    done.push(`installed ${(fresh ? PY_MODULES : missing).join(', ')}`);
  }
  if (writeIfChanged(kernelSpecFile, `${JSON.stringify(tslabKernelSpec(), null, 2)}\n`)) done.push('wrote the tslab kernelspec');
  if (writeIfChanged(labSettingsFile, `${JSON.stringify(LAB_SETTINGS, null, 2)}\n`)) done.push("turned off JupyterLab's news pop-up");
  return done;
}
