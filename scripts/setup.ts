/**
 * `npm run setup`: makes `.venv` with JupyterLab, nbclient and nbconvert, and writes the tslab kernelspec
 * into it. Idempotent and quick when everything is already there, so `npm test` and `npm start` call it
 * every time.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { kernelSpecFile, projectRoot, runCaptured, tslabBin, venvDir, venvPipInstall, venvPython } from './jupyter';

/** The Python packages the venv must provide, as imported and as installed. */
// plotly brings JupyterLab's renderer for application/vnd.plotly.v1+json, the MIME type maml-lab's figures use.
const PY_MODULES = ['jupyterlab', 'nbclient', 'nbconvert', 'plotly'] as const;
// Ranges, not pins: the mirror serves what it has; run_notebooks.py relies on nbclient's
// on_cell_executed hook (0.6+) and was verified with nbclient 0.11.
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
  console.log(`setup: installing ${PY_MODULES.join(', ')} into .venv (about 20 s)...`);
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

/** Runs every setup step that is not already done and returns what it did, for the one-line report. */
export function setup(): string[] {
  checkPrerequisites();
  const done: string[] = [];
  if (ensureVenv()) done.push('created .venv');
  const missing = missingModules();
  if (missing.length > 0) {
    const started = Date.now();
    pipInstall();
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    done.push(`pip-installed ${PY_MODULES.join(', ')} in ${seconds} s (${missing.join(', ')} missing)`);
  }
  if (writeKernelSpec()) done.push(`wrote ${path.relative(projectRoot, kernelSpecFile)}`);
  return done;
}

if (require.main === module) {
  try {
    const done = setup();
    console.log(
      done.length > 0
        ? `setup: ${done.join('; ')}.`
        : 'setup: .venv, Jupyter packages and the tslab kernelspec are already in place.',
    );
  } catch (error) {
    console.error(`setup failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
