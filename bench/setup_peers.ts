/**
 * `npx tsx bench/setup_peers.ts`: installs the Python peers of the benchmark (torch, jax, numpy, pinned in
 * bench/requirements-peers.txt) into the project's `.venv`. Opt-in only: `npm run setup` and `npm test`
 * never call it, because the peers weigh well over a gigabyte and only the benchmark needs them.
 *
 * Idempotent: when `import torch, jax, numpy` already works in `.venv` it only says so. It needs `.venv`
 * to exist (made by `npm run setup`) and does not create it, so that there is one place that owns it.
 * `ensurePeers` also serves another venv (test/doctor-exporters.test.ts keeps the peers in
 * `.venv-doctor-peers`, so that `npm test` never adds 1.5 GB to the venv a student's kernel runs in); that
 * one it creates.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ensureVenv, projectRoot, runCaptured, venvDir, venvPipInstall, venvPython } from '../scripts/jupyter';

const requirementsFile: string = path.join(__dirname, 'requirements-peers.txt');

/** What the check imports: the two frameworks and numpy, which peers.py uses for the shared data. */
const PEER_MODULES = ['torch', 'jax', 'numpy'] as const;

/** What one call did, for the caller's report. */
export interface PeerSetupResult {
  /** True when pip ran. */
  installed: boolean;
  /** Versions as imported afterwards, e.g. { torch: '2.13.0+cpu', ... }. */
  versions: Record<string, string>;
  /** Wall-clock seconds pip took (0 when it did not run). */
  seconds: number;
  /** How much the venv grew, in MiB (0 when pip did not run). */
  addedMiB: number;
}

/** Versions of the peer modules in a venv, or undefined if any of them fails to import. */
function importedVersions(python: string): Record<string, string> | undefined {
  // A real import, not find_spec: a half-installed torch (say, pip was interrupted) has a spec but
  // does not import, and this script exists to repair exactly that. It costs about 2 s. It also writes the
  // bytecode (even under PYTHONDONTWRITEBYTECODE) that pip's --no-compile left out, for what the peers use:
  // the imports, and the modules torch.func.grad and jax.grad load on first use (without them every later
  // torch.func run spent 3 s compiling them again).
  const warmUp = 'import torch.func\ntorch.func.grad(lambda x: (x * x).sum())(torch.ones(1))\njax.grad(lambda x: x * x)(1.0)';
  const probe = `import sys\nsys.dont_write_bytecode = False\nimport json, ${PEER_MODULES.join(', ')}\n${warmUp}\nprint(json.dumps({${PEER_MODULES.map(
    (m) => `"${m}": ${m}.__version__`,
  ).join(', ')}}))`;
  const result = runCaptured(python, ['-c', probe], 'Checking the peers');
  if (result.status !== 0) return undefined;
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Record<string, string>;
}

/** Size of a directory tree in bytes (files and symlinks themselves, not what the links point to). */
function treeBytes(dir: string): number {
  let total = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else total += fs.lstatSync(full).size;
    }
  }
  return total;
}

function pipInstall(python: string): void {
  // --no-compile: compiling every module of torch and jax to bytecode took 39 of pip's 49 s here, for the
  // few hundred modules that are ever imported; the import check after the install compiles those.
  venvPipInstall(['--no-compile', '-r', requirementsFile], `pip install -r ${path.relative(projectRoot, requirementsFile)}`, python);
}

/**
 * Makes sure torch, jax and numpy import in a venv (`.venv` unless `venv` names another), installing
 * bench/requirements-peers.txt if they do not. `.venv` must exist already (`npm run setup` owns it); another
 * venv is created. Throws when `.venv` is missing or pip fails. `log` receives one line before a (slow)
 * install starts.
 */
export function ensurePeers(log: (line: string) => void = console.log, venv: string = venvDir): PeerSetupResult {
  const python = venv === venvDir ? venvPython : path.join(venv, 'bin', 'python');
  const name = path.relative(projectRoot, venv) || venv;
  if (venv === venvDir && !fs.existsSync(venvPython)) {
    throw new Error(`${path.relative(projectRoot, venvPython)} does not exist: run \`npm run setup\` first.`);
  }
  if (venv !== venvDir) ensureVenv(venv);
  const before = importedVersions(python);
  if (before !== undefined) return { installed: false, versions: before, seconds: 0, addedMiB: 0 };

  log(`setup_peers: installing torch (CPU), jax[cpu] and numpy into ${name} (about 1 min, ~1.5 GB)...`);
  const bytesBefore = treeBytes(venv);
  const started = Date.now();
  pipInstall(python);
  const seconds = (Date.now() - started) / 1000;
  const addedMiB = (treeBytes(venv) - bytesBefore) / 2 ** 20;
  const after = importedVersions(python);
  if (after === undefined) {
    throw new Error(`pip install finished but \`import ${PEER_MODULES.join(', ')}\` still fails in ${name}.`);
  }
  return { installed: true, versions: after, seconds, addedMiB };
}

if (require.main === module) {
  try {
    const result = ensurePeers();
    const versions = Object.entries(result.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ');
    console.log(
      result.installed
        ? `setup_peers: installed ${versions} into .venv in ${result.seconds.toFixed(0)} s; .venv grew by ${result.addedMiB.toFixed(0)} MiB.`
        : `setup_peers: ${versions} already import in .venv; nothing to do.`,
    );
  } catch (error) {
    console.error(`setup_peers failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
