/**
 * `npm run setup`: makes `.venv` with JupyterLab, nbclient, nbconvert and plotly, writes the tslab
 * kernelspec and our JupyterLab settings into it, and registers the git filter that keeps notebook
 * outputs out of commits. Idempotent and quick when everything is already there, so `npm test` and
 * `npm start` call it every time.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  kernelSpecFile,
  labSettingsFile,
  projectRoot,
  runCaptured,
  tslabBin,
  venvDir,
  venvPipInstall,
  venvPython,
} from './jupyter';

/** The Python packages the venv must provide, as imported and as installed. */
// plotly brings JupyterLab's renderer for application/vnd.plotly.v1+json, the MIME type maml-lab's figures use.
const PY_MODULES = ['jupyterlab', 'nbclient', 'nbconvert', 'plotly'] as const;
// Ranges, not pins: the mirror serves what it has; the notebook executor (python/) relies on nbclient's
// async_setup_kernel and process_message (0.6+) and was verified with nbclient 0.11.
const PY_REQUIREMENTS = ['jupyterlab>=4,<5', 'nbclient>=0.10,<0.12', 'nbconvert>=7,<8', 'plotly>=6,<8'] as const;

/** The kernelspec setup writes; tslab's own installer imports IPython, which we do not want to need. */
export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
}

/** The tslab kernelspec for this checkout and this node binary. */
export function tslabKernelSpec(): KernelSpec {
  return {
    // Absolute node path: Jupyter may start the kernel with a PATH where `node` is another version.
    argv: [process.execPath, tslabBin, 'kernel', '--config-path', '{connection_file}'],
    display_name: 'TypeScript (tslab)',
    language: 'typescript',
  };
}

function checkPrerequisites(): void {
  const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (python.error !== undefined || python.status !== 0) {
    throw new Error('python3 was not found on PATH; install Python 3 (with its venv module) and rerun `npm run setup`.');
  }
  if (!fs.existsSync(tslabBin)) {
    throw new Error(
      `${path.relative(projectRoot, tslabBin)} is missing; run \`npm ci\` (or \`npm install\`) before \`npm run setup\`.`,
    );
  }
}

function ensureVenv(): boolean {
  if (fs.existsSync(venvPython)) return false;
  // Also repairs a half-made .venv: venv fills in what is missing without touching installed packages.
  const result = runCaptured('python3', ['-m', 'venv', venvDir], 'Creating .venv');
  if (result.status !== 0 || !fs.existsSync(venvPython)) {
    throw new Error(
      'Creating .venv with `python3 -m venv` failed (on Debian/Ubuntu the venv module is the python3-venv ' +
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
    throw new Error(`${venvPython} does not run (${result.stderr.trim()}); delete .venv and rerun \`npm run setup\`.`);
  }
  return result.stdout.split('\n').filter((line) => line.trim() !== '');
}

function pipInstall(): void {
  venvPipInstall([...PY_REQUIREMENTS], `\`pip install ${PY_REQUIREMENTS.join(' ')}\` into .venv`);
  const still = missingModules();
  if (still.length > 0) {
    throw new Error(`pip install finished but ${still.join(', ')} still cannot be found in .venv.`);
  }
}

function writeKernelSpec(): boolean {
  const text = `${JSON.stringify(tslabKernelSpec(), null, 2)}\n`;
  if (fs.existsSync(kernelSpecFile) && fs.readFileSync(kernelSpecFile, 'utf8') === text) return false;
  fs.mkdirSync(path.dirname(kernelSpecFile), { recursive: true });
  fs.writeFileSync(kernelSpecFile, text);
  return true;
}

/**
 * JupyterLab defaults for this project. The news question ("Would you like to get notified about
 * official Jupyter news?") otherwise covers every notebook on first start, and both settings make
 * JupyterLab contact a website. Names from the installed schema,
 * .venv/share/jupyter/lab/schemas/@jupyterlab/apputils-extension/notification.json (fetchNews is a
 * string: "true", "false" or "none" = ask); test/setup.test.ts checks them against it.
 */
export const LAB_SETTINGS = {
  '@jupyterlab/apputils-extension:notification': { fetchNews: 'false', checkForUpdates: false },
} as const;

function writeLabSettings(): boolean {
  const text = `${JSON.stringify(LAB_SETTINGS, null, 2)}\n`;
  if (fs.existsSync(labSettingsFile) && fs.readFileSync(labSettingsFile, 'utf8') === text) return false;
  fs.mkdirSync(path.dirname(labSettingsFile), { recursive: true });
  fs.writeFileSync(labSettingsFile, text);
  return true;
}

/** The git filter .gitattributes names for *.ipynb (scripts/notebook_outputs.py's FILTER_NAME). */
export const OUTPUT_FILTER = 'clear-outputs';

/** What installOutputFilter did: registered it, found it in place, or could not (and why). */
export type FilterOutcome = { status: 'registered' | 'present' } | { status: 'skipped'; reason: string };

function quoteForShell(word: string): string {
  return /^[\w./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Registers the clean filter that makes `git add` store notebooks without outputs, in the repository's
 * own config (.git/config; never the user's global one). Git runs filters from the top of the working
 * tree, so the script is named relative to it, which also keeps every worktree on its own copy. A missing
 * git or a folder that is not a git checkout (a tarball) is not an error: there is nothing to filter.
 * A filter of that name set to something else is left alone, since someone chose it.
 */
export function installOutputFilter(root: string = projectRoot, git = 'git'): FilterOutcome {
  const run = (args: string[]) => spawnSync(git, args, { cwd: root, encoding: 'utf8' });
  const top = run(['rev-parse', '--show-toplevel']);
  if (top.error !== undefined) return { status: 'skipped', reason: `git was not found (${top.error.message})` };
  if (top.status !== 0) return { status: 'skipped', reason: 'this folder is not a git checkout' };
  const script = path.join(fs.realpathSync(root), 'scripts', 'notebook_outputs.py');
  const relative = path.relative(fs.realpathSync(top.stdout.trim()), script).split(path.sep).join('/');
  const command = `python3 ${quoteForShell(relative)} clean %f`;
  const key = `filter.${OUTPUT_FILTER}.clean`;
  const current = run(['config', '--local', '--get', key]);
  if (current.status === 0) {
    const value = current.stdout.trim();
    if (value === command) return { status: 'present' };
    return { status: 'skipped', reason: `git config ${key} is already set to \`${value}\`; left as it is` };
  }
  const set = run(['config', '--local', key, command]);
  if (set.status !== 0) throw new Error(`\`git config --local ${key}\` failed: ${set.stderr.trim()}`);
  return { status: 'registered' };
}

/**
 * Runs every setup step that is not already done. Says what it is about to do before a slow step, and
 * returns what it changed, for the closing "ready" line.
 */
export function setup(say: (line: string) => void = console.log): string[] {
  checkPrerequisites();
  const done: string[] = [];
  const fresh = ensureVenv();
  const missing = missingModules();
  if (missing.length > 0) {
    say(
      fresh
        ? `setup: installing ${PY_MODULES.join(', ')} into .venv (first run, about 20 s)...`
        : `setup: .venv lacks ${missing.join(', ')}; installing (about 20 s)...`,
    );
    pipInstall();
    done.push(`installed ${(fresh ? PY_MODULES : missing).join(', ')}`);
  }
  if (writeKernelSpec()) done.push('wrote the tslab kernelspec');
  if (writeLabSettings()) done.push("turned off JupyterLab's news pop-up");
  const filter = installOutputFilter();
  if (filter.status === 'registered') done.push('registered the git filter that keeps notebook outputs out of commits');
  if (filter.status === 'skipped') {
    say(`setup: note: no git filter keeps notebook outputs out of commits: ${filter.reason}.`);
  }
  return done;
}

if (require.main === module) {
  try {
    const started = Date.now();
    const done = setup();
    const seconds = Math.round((Date.now() - started) / 1000);
    console.log(done.length > 0 ? `setup: ready (${done.join('; ')}; ${seconds} s).` : 'setup: ready.');
  } catch (error) {
    console.error(`setup failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
