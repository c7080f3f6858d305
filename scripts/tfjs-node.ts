/**
 * `npm run setup:tfjs-node`: makes the optional `@tensorflow/tfjs-node` backend work without Google's
 * download servers. Its own install script fetches libtensorflow 2.9.1 and a prebuilt binding from
 * storage.googleapis.com; where that is unreachable npm silently drops the package. This script takes
 * libtensorflow from the `tensorflow-cpu` pip wheel instead and builds the binding from source.
 *
 *   npm run setup:tfjs-node [-- --wheel FILE] [-- --force] [-- --check]
 *
 * Steps, each skipped when already done (so a second run costs one probe, about 2 s):
 *  1. probe: if `require('@tensorflow/tfjs-node')` already gives a working `tensorflow` backend, stop;
 *  2. install the package (pinned by package.json's optionalDependencies) with `npm install --no-save
 *     --ignore-scripts`, when it or one of its dependencies is missing; package.json and
 *     package-lock.json are checked to be unchanged;
 *  3. libtensorflow: download the wheel with pip (or take `--wheel FILE`) and unpack the two libraries and
 *     the C headers the binding reads into a cache outside node_modules (MAML_LAB_CACHE, else
 *     $XDG_CACHE_HOME/maml-lab, else ~/.cache/maml-lab), so `npm ci` does not throw it away;
 *  4. link the cache into the package's deps/include and deps/lib under the names its build expects;
 *  5. build the binding: `npm rebuild @tensorflow/tfjs-node` with build-from-source (node-gyp and g++,
 *     with Node's own headers when they are installed beside `node`);
 *  6. probe again: backend `tensorflow`, a matmul and a nested tf.grad right.
 *
 * `--check` does step 1 only and exits 1 (with what to run) when tfjs-node does not work.
 * `--force` redoes steps 2-6 even when the probe passes. Linux on x86-64 only: the wheel is built for it.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { TENSORFLOW_ENV_DEFAULTS } from '../src/meta/engine';
import { projectRoot, venvPython } from './jupyter';

/** The wheel libtensorflow comes from; any Python can download it (pip is told the target's tags). */
export const TENSORFLOW_WHEEL = {
  project: 'tensorflow-cpu',
  version: '2.21.0',
  pythonVersion: '3.11',
  abi: 'cp311',
  platform: 'manylinux_2_27_x86_64',
  /** Download size, for the progress line (the 2.21.0 wheel is 273,829,956 bytes). */
  megabytes: 274,
  /** What stays unpacked in the cache: the two libraries and 14 headers (853,463,601 bytes for 2.21.0). */
  unpackedMegabytes: 853,
} as const;

/** The wheel's file name, as a user would download it by hand. */
export function wheelFileName(wheel = TENSORFLOW_WHEEL): string {
  return `${wheel.project.replace(/-/g, '_')}-${wheel.version}-${wheel.abi}-${wheel.abi}-${wheel.platform}.whl`;
}

/** The libraries the wheel ships, by their sonames (what the built binding records as needed). */
export const TF_LIBRARIES = { cc: 'libtensorflow_cc.so.2', framework: 'libtensorflow_framework.so.2' } as const;

/** Why a setup step failed; each kind has its own advice. */
export type FailureKind =
  | 'platform'
  | 'node'
  | 'npm'
  | 'python'
  | 'wheel'
  | 'disk'
  | 'compiler'
  | 'headers'
  | 'build'
  | 'load';

/** A failure the user can act on: the message says what went wrong and what to do. */
export class SetupError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'SetupError';
  }
}

const RERUN = 'then rerun `npm run setup:tfjs-node`';

/** The platform problem, if any: the wheel and this route exist for Linux on x86-64 only. */
export function platformProblem(platform: string = process.platform, arch: string = process.arch): string | undefined {
  if (platform === 'linux' && arch === 'x64') return undefined;
  return (
    `this offline route builds @tensorflow/tfjs-node from the ${TENSORFLOW_WHEEL.project} wheel for Linux x86-64, ` +
    `and this is ${platform}-${arch}. Where Google's storage is reachable, \`npm install\` installs ` +
    '@tensorflow/tfjs-node the normal way (prebuilt); otherwise maml-lab runs on the wasm backend.'
  );
}

/** The Node.js problem, if any: the binding is an N-API (v8) addon, and maml-lab wants Node 20+. */
export function nodeProblem(versions: NodeJS.ProcessVersions = process.versions): string | undefined {
  const major = Number(versions.node.split('.')[0]);
  const napi = Number(versions.napi ?? 0);
  if (major >= 20 && napi >= 8) return undefined;
  return (
    `Node.js ${versions.node} (N-API ${versions.napi ?? 'none'}) is too old: maml-lab needs Node 20 or newer, ` +
    `and the tfjs-node binding N-API 8. Install Node 20+, make it the \`node\` and \`npm\` on PATH, ${RERUN}.`
  );
}

/**
 * The cache folder for libtensorflow: MAML_LAB_CACHE, else $XDG_CACHE_HOME/maml-lab, else
 * ~/.cache/maml-lab. Outside the project's node_modules, so `npm ci` keeps it, and shared by every clone.
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  if (env.MAML_LAB_CACHE) return path.resolve(env.MAML_LAB_CACHE);
  const base = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(home, '.cache');
  return path.join(base, 'maml-lab');
}

/** Where one libtensorflow version is unpacked inside the cache. */
export function libtensorflowDir(root: string, wheel = TENSORFLOW_WHEEL): string {
  return path.join(root, `libtensorflow-${wheel.version}-cpu-linux-x86_64`);
}

/** One symlink to make: `path` → `target` (a relative target is relative to the link's folder). */
export interface Link {
  path: string;
  target: string;
}

/**
 * The links that make the cache look like the libtensorflow 2.9.1 tarball tfjs-node's install expects:
 * deps/include is the cache's headers; deps/lib holds the two libraries under their sonames, and the names
 * the build links against (-ltensorflow → libtensorflow.so) and the name its install script tests for
 * (libtensorflow.so.<its version>, which makes it build rather than download). The binding's rpath is
 * $ORIGIN/../../deps/lib, so these links are also how it finds the libraries at run time.
 */
export function linkPlan(packageDir: string, cacheDir: string, expectedVersion = '2.9.1'): Link[] {
  const lib = path.join(packageDir, 'deps', 'lib');
  const inLib = (name: string, target: string): Link => ({ path: path.join(lib, name), target });
  return [
    { path: path.join(packageDir, 'deps', 'include'), target: path.join(cacheDir, 'include') },
    inLib(TF_LIBRARIES.cc, path.join(cacheDir, 'lib', TF_LIBRARIES.cc)),
    inLib(TF_LIBRARIES.framework, path.join(cacheDir, 'lib', TF_LIBRARIES.framework)),
    ...['libtensorflow.so', 'libtensorflow.so.2', `libtensorflow.so.${expectedVersion}`].map((n) => inLib(n, TF_LIBRARIES.cc)),
    ...['libtensorflow_framework.so', `libtensorflow_framework.so.${expectedVersion}`].map((n) => inLib(n, TF_LIBRARIES.framework)),
  ];
}

/** Makes the links, replacing whatever is at each path unless it is already the right link. */
export function applyLinks(plan: readonly Link[]): number {
  let changed = 0;
  for (const link of plan) {
    let current: string | undefined;
    try {
      current = fs.readlinkSync(link.path);
    } catch {
      current = undefined;
    }
    if (current === link.target) continue;
    fs.rmSync(link.path, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(link.path), { recursive: true });
    fs.symlinkSync(link.target, link.path);
    changed++;
  }
  return changed;
}

/** The libtensorflow version tfjs-node's install script looks for (2.9.1 for tfjs-node 4.22). */
export function expectedLibtensorflowVersion(packageDir: string): string {
  const file = path.join(packageDir, 'scripts', 'deps-constants.js');
  const match = /LIBTENSORFLOW_VERSION\s*=\s*'([\d.]+)'/.exec(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');
  return match?.[1] ?? '2.9.1';
}

/** The `#include "…"` lines of the binding's sources: the seeds of the header closure taken from the wheel. */
export function bindingIncludes(sources: readonly string[]): string[] {
  const found = new Set<string>();
  for (const text of sources) {
    for (const match of text.matchAll(/^\s*#\s*include\s*"([^"]+)"/gm)) found.add(match[1]);
  }
  return [...found].sort();
}

/**
 * The folder to pass node-gyp as `nodedir` so it uses Node's installed headers instead of downloading
 * them: the installation prefix of `node` (/usr for /usr/bin/node), when it has include/node/node_api.h.
 */
export function nodeHeadersDir(execPath: string = process.execPath, exists: (file: string) => boolean = fs.existsSync): string | undefined {
  let real = execPath;
  try {
    real = fs.realpathSync(execPath);
  } catch {
    // a path that does not exist on this machine (tests): use it as given
  }
  const prefix = path.dirname(path.dirname(real));
  return exists(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

/** Build tools node-gyp needs that are not on PATH, with the advice for each. */
export function missingBuildTools(onPath: (command: string) => boolean, env: NodeJS.ProcessEnv = process.env): string[] {
  const compiler = env.CXX?.split(' ')[0] || 'g++';
  return [compiler, 'make', 'python3'].filter((tool) => !onPath(tool));
}

/** The advice for missing build tools (Debian/Ubuntu package names, since the wheel is for glibc Linux). */
export function buildToolsMessage(missing: readonly string[]): string {
  return (
    `building the binding needs a C++ compiler, make and Python 3 (node-gyp), and ${missing.join(', ')} ` +
    `${missing.length === 1 ? 'is' : 'are'} not on PATH. On Debian/Ubuntu: \`sudo apt-get install g++ make python3\`; ${RERUN}.`
  );
}

/** What pip's output means when `pip download` failed. */
export function diagnosePipFailure(output: string): SetupError {
  const tail = lastLines(output, 8);
  if (/No matching distribution found|Could not find a version that satisfies/i.test(output)) {
    return new SetupError(
      'wheel',
      `pip found no ${TENSORFLOW_WHEEL.project} ${TENSORFLOW_WHEEL.version} wheel for Linux x86-64 on its package index ` +
        '(`pip config list` shows which index it uses). On a machine that has it, download ' +
        `${wheelFileName()} (${TENSORFLOW_WHEEL.megabytes} MB, https://pypi.org/project/${TENSORFLOW_WHEEL.project}/${TENSORFLOW_WHEEL.version}/#files), ` +
        `then run \`npm run setup:tfjs-node -- --wheel PATH/TO/${wheelFileName()}\`.\npip said:\n${tail}`,
    );
  }
  if (/No space left on device/i.test(output)) return diskError(output);
  return new SetupError(
    'wheel',
    `\`pip download ${TENSORFLOW_WHEEL.project}==${TENSORFLOW_WHEEL.version}\` failed (a network or index problem; pip is ` +
      `run with --retries 0). Fix it and rerun, or download ${wheelFileName()} yourself and pass it with ` +
      `\`npm run setup:tfjs-node -- --wheel FILE\`.\npip said:\n${tail}`,
  );
}

function diskError(output: string): SetupError {
  return new SetupError(
    'disk',
    `no space left while unpacking libtensorflow: it needs about 1.2 GB free in ${cacheRoot()} during setup ` +
      `(the ${TENSORFLOW_WHEEL.megabytes} MB wheel, deleted afterwards, and ${TENSORFLOW_WHEEL.unpackedMegabytes} MB unpacked). Free some space or point ` +
      `MAML_LAB_CACHE at a disk that has it, ${RERUN}.\n${lastLines(output, 4)}`,
  );
}

/** The first line of `text` that matches `pattern`, indented, or undefined. */
function lineMatching(text: string, pattern: RegExp): string | undefined {
  const line = text.split('\n').find((l) => pattern.test(l));
  return line === undefined ? undefined : `  ${line.trim()}`;
}

const COMPILER_MISSING =
  /No such file or directory: '[^']*(g\+\+|c\+\+|clang\+\+|make)'|\b(g\+\+|c\+\+|clang\+\+|make): (command )?not found|\b(g\+\+|c\+\+|clang\+\+): No such file or directory/;

/** What node-gyp's output (through `npm rebuild`) means when the binding did not build. */
export function diagnoseBuildFailure(output: string): SetupError {
  const tail = lastLines(output, 25);
  if (/headers\.tar\.gz|related to network connectivity/.test(output) && /gyp ERR!/.test(output)) {
    return new SetupError(
      'headers',
      "node-gyp could not download Node.js's C headers (it does unless `nodedir` names installed ones, and none " +
        `were found beside ${process.execPath}). Install them (Debian/Ubuntu: the \`libnode-dev\` package; Node's ` +
        'official tarballs include them) and set `npm_config_nodedir` to the folder that holds include/node, ' +
        `${RERUN}.\n${lineMatching(output, /headers\.tar\.gz/) ?? tail}`,
    );
  }
  const compiler = lineMatching(output, COMPILER_MISSING);
  if (compiler !== undefined) return new SetupError('compiler', `${buildToolsMessage(['the C++ compiler or make that node-gyp runs'])}\n${compiler}`);
  const python = lineMatching(output, /gyp ERR! find Python/);
  if (python !== undefined) {
    return new SetupError('python', `node-gyp needs Python 3 and found none. Install python3 (or set npm_config_python), ${RERUN}.\n${python}`);
  }
  if (/No space left on device/i.test(output)) return diskError(output);
  return new SetupError(
    'build',
    `building the tfjs-node binding from source failed. Its output ends:\n${tail}\n` +
      'If the error is in a TensorFlow header, the cache may be incomplete: delete ' +
      `${libtensorflowDir(cacheRoot())} and rerun \`npm run setup:tfjs-node -- --force\`.`,
  );
}

/** What a failed load of @tensorflow/tfjs-node means, from the probe's stderr and exit signal. */
export function diagnoseLoadFailure(stderr: string, signal: NodeJS.Signals | null = null): SetupError {
  // The line that says what happened, rather than the stack under it.
  const said = (pattern: RegExp) => lineMatching(stderr, pattern) ?? lastLines(stderr, 6);
  if (signal === 'SIGILL') {
    return new SetupError(
      'load',
      `loading libtensorflow stopped with an illegal instruction: the ${TENSORFLOW_WHEEL.project} ${TENSORFLOW_WHEEL.version} ` +
        'wheel needs a CPU with AVX, and this one lacks it. Use the wasm backend (the default).',
    );
  }
  const glibc = /GLIBC_\d|GLIBCXX_\d|CXXABI_\d/;
  if (glibc.test(stderr)) {
    return new SetupError(
      'load',
      `libtensorflow from the ${TENSORFLOW_WHEEL.project} wheel (${TENSORFLOW_WHEEL.platform}) needs a newer C library ` +
        `than this system has (glibc 2.27 and a matching libstdc++). Use the wasm backend (the default) here.\n${said(glibc)}`,
    );
  }
  const abi = /NODE_MODULE_VERSION|compiled against a different Node\.js version|invalid ELF header|wrong ELF class|undefined symbol: napi_/;
  if (abi.test(stderr)) {
    return new SetupError(
      'node',
      'the tfjs-node binding was built for another Node.js or platform than the one running it ' +
        `(node ${process.version} at ${process.execPath}). Make sure \`node\` and \`npm\` on PATH are one installation, ` +
        `then rebuild with \`npm run setup:tfjs-node -- --force\`.\n${said(abi)}`,
    );
  }
  const symbol = /undefined symbol: (TF|TFE)_/;
  if (symbol.test(stderr)) {
    return new SetupError(
      'load',
      `the tfjs-node binding needs a TensorFlow C function the unpacked library lacks; delete ${libtensorflowDir(cacheRoot())} ` +
        `and rerun \`npm run setup:tfjs-node -- --force\`.\n${said(symbol)}`,
    );
  }
  const missing = /libtensorflow[\w.]*\.so[\w.]*: cannot open shared object file/;
  if (missing.test(stderr)) {
    return new SetupError(
      'load',
      `the tfjs-node binding cannot find libtensorflow: its links in deps/lib point into ${cacheRoot()}, which was ` +
        `moved or deleted. Rerun \`npm run setup:tfjs-node\` to unpack it again.\n${said(missing)}`,
    );
  }
  return new SetupError('load', `@tensorflow/tfjs-node does not load:\n${said(/Error:/)}`);
}

function lastLines(text: string, n: number): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '' && !/Unknown user config "nodedir"/.test(line));
  return lines
    .slice(-n)
    .map((line) => `  ${line}`)
    .join('\n');
}

/** What the probe reports when tfjs-node works. */
export interface ProbeResult {
  backend: string;
  tfjsNode: string;
  libtensorflow: string;
  matmul: number[][];
  secondDerivative: number;
}

/**
 * Run in a child node from the project root (so a crash stays there): loads tfjs-node with the
 * environment maml-lab's engine gives it, sets its backend, and computes [[1,2],[3,4]]·[[5,6],[7,8]] = [[19,22],[43,50]] and
 * d²/dx² x³ at x = 2 = 12 through a nested tf.grad.
 */
const PROBE = `
for (const [key, value] of Object.entries(${JSON.stringify(TENSORFLOW_ENV_DEFAULTS)})) process.env[key] ??= value;
const tf = require('@tensorflow/tfjs-node');
(async () => {
  await tf.setBackend('tensorflow');
  const matmul = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5, 6], [7, 8]])).arraySync();
  const cube = (x) => x.mul(x).mul(x);
  const secondDerivative = tf.grad(tf.grad(cube))(tf.scalar(2)).dataSync()[0];
  console.log(JSON.stringify({ backend: tf.getBackend(), tfjsNode: tf.version['tfjs-node'],
    libtensorflow: tf.backend().binding.TF_Version, matmul, secondDerivative }));
})().catch((e) => { console.error(e && e.stack || String(e)); process.exit(1); });
`;

/** Whether a probe's numbers are the right ones; the reason when not. */
export function probeProblem(result: ProbeResult): string | undefined {
  if (result.backend !== 'tensorflow') return `the backend is ${result.backend}, not tensorflow`;
  if (JSON.stringify(result.matmul) !== '[[19,22],[43,50]]') return `[[1,2],[3,4]]·[[5,6],[7,8]] gave ${JSON.stringify(result.matmul)}`;
  if (result.secondDerivative !== 12) return `d²/dx² x³ at 2 gave ${result.secondDerivative}, not 12`;
  return undefined;
}

type Probe = { ok: true; result: ProbeResult } | { ok: false; absent: boolean; error: SetupError };

/** Loads tfjs-node in a child process and checks its numbers. */
export function probe(root: string = projectRoot): Probe {
  const child = spawnSync(process.execPath, ['-e', PROBE], { cwd: root, encoding: 'utf8', maxBuffer: 16 << 20, timeout: 120_000 });
  if (child.status === 0) {
    try {
      const result = JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as ProbeResult;
      const problem = probeProblem(result);
      if (problem === undefined) return { ok: true, result };
      return { ok: false, absent: false, error: new SetupError('load', `@tensorflow/tfjs-node loads, but ${problem}.`) };
    } catch {
      return { ok: false, absent: false, error: new SetupError('load', `the probe printed no result:\n${lastLines(child.stdout, 6)}`) };
    }
  }
  const absent = /Cannot find module '@tensorflow\/tfjs-node'/.test(child.stderr);
  return { ok: false, absent, error: diagnoseLoadFailure(child.stderr, child.signal) };
}

/** The exact tfjs-node version package.json pins (an optional dependency). */
export function pinnedVersion(root: string = projectRoot): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    optionalDependencies?: Record<string, string>;
    dependencies?: Record<string, string>;
  };
  const version = pkg.optionalDependencies?.['@tensorflow/tfjs-node'] ?? pkg.dependencies?.['@tensorflow/tfjs-node'];
  if (version === undefined || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new SetupError('npm', `package.json does not pin @tensorflow/tfjs-node to one version (found ${String(version)}).`);
  }
  return version;
}

/** Why the installed package cannot be used as it is (missing, another version, a dependency missing), if so. */
export function packageProblem(packageDir: string, version: string): string | undefined {
  const manifest = path.join(packageDir, 'package.json');
  if (!fs.existsSync(manifest)) return 'it is not installed (npm drops this optional dependency when its install fails)';
  const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string; dependencies?: Record<string, string> };
  if (pkg.version !== version) return `version ${pkg.version} is installed, package.json pins ${version}`;
  // Looked up the way node does, folder by folder upwards (require.resolve would trip on `exports`).
  const folders = path.resolve(packageDir).split(path.sep).map((_, i, parts) => parts.slice(0, parts.length - i).join(path.sep) || path.sep);
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    if (!folders.some((dir) => fs.existsSync(path.join(dir, 'node_modules', dep, 'package.json')))) return `its dependency ${dep} is missing`;
  }
  return undefined;
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v "$1" >/dev/null 2>&1`, 'sh', command]).status === 0;
}

/** Runs a command with its output captured (both streams, interleaved), without blocking the event loop. */
function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? projectRoot, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, output }));
  });
}

interface Manifest {
  wheel: string;
  files: Record<string, number>;
}

/** Bytes the unpacked cache holds, by its manifest (0 when it is incomplete or absent). */
export function cacheBytes(dir: string): number {
  if (!cacheComplete(dir)) return 0;
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
  return Object.values(manifest.files).reduce((sum, size) => sum + size, 0);
}

/** Whether the unpacked cache is complete: its manifest is written last and lists every file's size. */
export function cacheComplete(dir: string): boolean {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
    const files = Object.entries(manifest.files);
    return files.length > 0 && files.every(([file, size]) => fs.statSync(path.join(dir, file)).size === size);
  } catch {
    return false;
  }
}

/** A Python with pip: the project's .venv first (made by `npm run setup`), then python3. */
function pythonWithPip(): string {
  for (const python of [venvPython, 'python3']) {
    if (python === venvPython && !fs.existsSync(python)) continue;
    if (spawnSync(python, ['-m', 'pip', '--version'], { stdio: 'ignore' }).status === 0) return python;
  }
  if (!onPath('python3')) {
    throw new SetupError('python', `python3 is not on PATH; it downloads and unpacks the ${TENSORFLOW_WHEEL.project} wheel. Install Python 3, ${RERUN}.`);
  }
  throw new SetupError(
    'python',
    "neither .venv nor python3 has pip, which downloads the wheel. Run `npm run setup` (it makes .venv, with pip), " +
      `or install pip (Debian/Ubuntu: \`sudo apt-get install python3-pip\`), ${RERUN}. ` +
      `Or download ${wheelFileName()} yourself and pass it with \`npm run setup:tfjs-node -- --wheel FILE\`.`,
  );
}

/** The `pip download` arguments: only this wheel, whatever Python runs pip, no retries, no pip cache copy. */
export function pipDownloadArgs(dest: string, wheel = TENSORFLOW_WHEEL): string[] {
  return [
    '-m', 'pip', 'download', '--no-deps', '--retries', '0', '--no-cache-dir', '--disable-pip-version-check',
    '--only-binary=:all:', '--python-version', wheel.pythonVersion, '--implementation', 'cp', '--abi', wheel.abi,
    '--platform', wheel.platform, '--dest', dest, `${wheel.project}==${wheel.version}`,
  ];
}

type Say = (line: string) => void;

/** Unpacks libtensorflow into the cache, downloading the wheel first unless one is given. */
async function ensureLibtensorflow(packageDir: string, wheelArg: string | undefined, say: Say): Promise<{ downloadedBytes: number }> {
  const dir = libtensorflowDir(cacheRoot());
  if (cacheComplete(dir)) {
    say(`libtensorflow ${TENSORFLOW_WHEEL.version} is already unpacked in ${dir}`);
    return { downloadedBytes: 0 };
  }
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const staging = fs.mkdtempSync(`${dir}.partial-`);
  try {
    let wheel: string;
    let downloadedBytes = 0;
    if (wheelArg !== undefined) {
      // `npm run` starts scripts in the project root; a relative path is meant from where the user typed it.
      wheel = path.resolve(process.env.INIT_CWD ?? process.cwd(), wheelArg);
      if (!fs.existsSync(wheel)) throw new SetupError('wheel', `--wheel ${wheelArg}: no such file.`);
    } else {
      const python = pythonWithPip();
      say(`downloading ${wheelFileName()} (${TENSORFLOW_WHEEL.megabytes} MB) with ${python === venvPython ? '.venv' : python}'s pip...`);
      const downloads = path.join(staging, 'download');
      const pip = await run(python, pipDownloadArgs(downloads));
      const found = fs.existsSync(downloads) ? fs.readdirSync(downloads).filter((f) => f.endsWith('.whl')) : [];
      if (pip.status !== 0 || found.length !== 1) throw diagnosePipFailure(pip.output);
      wheel = path.join(downloads, found[0]);
      downloadedBytes = fs.statSync(wheel).size;
    }
    const sources = fs
      .readdirSync(path.join(packageDir, 'binding'))
      .map((file) => fs.readFileSync(path.join(packageDir, 'binding', file), 'utf8'));
    say(`unpacking libtensorflow and its C headers into ${dir} (${TENSORFLOW_WHEEL.unpackedMegabytes} MB)...`);
    const unpacked = path.join(staging, 'unpacked');
    const python = onPath('python3') ? 'python3' : fs.existsSync(venvPython) ? venvPython : undefined;
    if (python === undefined) {
      throw new SetupError('python', `python3 is not on PATH; it unpacks the wheel. Install Python 3, ${RERUN}.`);
    }
    const unpack = await run(python, [path.join(__dirname, 'tfjs_node_wheel.py'), wheel, unpacked, ...bindingIncludes(sources)]);
    if (unpack.status !== 0) {
      if (/No space left on device/i.test(unpack.output)) throw diskError(unpack.output);
      throw new SetupError(
        'wheel',
        `${path.basename(wheel)} is not the wheel expected (${wheelFileName()}):\n${lastLines(unpack.output, 6)}`,
      );
    }
    const listing = JSON.parse(unpack.output.trim().split('\n').pop() ?? '{}') as { libraries: Record<string, number>; headers: string[] };
    const files: Record<string, number> = {};
    for (const [lib, size] of Object.entries(listing.libraries)) files[path.join('lib', lib)] = size;
    for (const header of listing.headers) files[path.join('include', header)] = fs.statSync(path.join(unpacked, 'include', header)).size;
    const manifest: Manifest = { wheel: path.basename(wheel), files };
    fs.writeFileSync(path.join(unpacked, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(unpacked, dir);
    return { downloadedBytes };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC') throw diskError(String(error));
    throw error;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** `npm install --no-save --ignore-scripts @tensorflow/tfjs-node@<pin>`, leaving package.json and the lock as they were. */
async function installPackage(version: string, say: Say): Promise<void> {
  const guarded = ['package.json', 'package-lock.json'].map((f) => path.join(projectRoot, f)).filter((f) => fs.existsSync(f));
  const before = guarded.map((f) => fs.readFileSync(f));
  say(`installing @tensorflow/tfjs-node@${version} without its download script (npm install --no-save --ignore-scripts)...`);
  const npm = await run('npm', ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `@tensorflow/tfjs-node@${version}`]);
  guarded.forEach((file, i) => {
    if (!fs.readFileSync(file).equals(before[i])) {
      fs.writeFileSync(file, before[i]);
      say(`note: npm changed ${path.basename(file)}; restored it as it was`);
    }
  });
  if (npm.status !== 0) {
    throw new SetupError('npm', `\`npm install --no-save @tensorflow/tfjs-node@${version}\` failed (it needs the npm registry):\n${lastLines(npm.output, 10)}`);
  }
}

/** `npm rebuild @tensorflow/tfjs-node`, building the binding from source against the linked libtensorflow. */
async function buildBinding(say: Say): Promise<void> {
  const missing = missingBuildTools(onPath);
  if (missing.length > 0) throw new SetupError('compiler', buildToolsMessage(missing));
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_build_from_source: 'true' };
  // npm hands node-gyp its `nodedir` setting; without one node-gyp downloads Node's headers.
  const configured = env.npm_config_nodedir ?? spawnSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8' }).stdout?.trim();
  if (!configured || configured === 'undefined' || configured === 'null') {
    const headers = nodeHeadersDir();
    if (headers !== undefined) env.npm_config_nodedir = headers;
  }
  say(`building the binding from source with node-gyp (about 10 s${env.npm_config_nodedir ? `; Node headers from ${env.npm_config_nodedir}` : ''})...`);
  const npm = await run('npm', ['rebuild', '@tensorflow/tfjs-node', '--foreground-scripts'], { env });
  if (npm.status !== 0 || /node-pre-gyp install failed|gyp ERR! not ok/.test(npm.output)) throw diagnoseBuildFailure(npm.output);
}

/** What a setup run did, for its closing line and for the README's figures. */
export interface SetupSummary {
  alreadyWorking: boolean;
  probe: ProbeResult;
  steps: string[];
  seconds: number;
  downloadedBytes: number;
  cacheDir: string;
  cacheBytes: number;
}

/** Runs every step that is not already done, then proves tfjs-node works; throws a SetupError otherwise. */
export async function setupTfjsNode(options: { wheel?: string; force?: boolean } = {}, say: Say = console.log): Promise<SetupSummary> {
  const started = Date.now();
  const summary = (alreadyWorking: boolean, result: ProbeResult, steps: string[], downloadedBytes: number): SetupSummary => {
    const cacheDir = libtensorflowDir(cacheRoot());
    return { alreadyWorking, probe: result, steps, seconds: (Date.now() - started) / 1000, downloadedBytes, cacheDir, cacheBytes: cacheBytes(cacheDir) };
  };
  const first = probe();
  if (first.ok && !options.force) return summary(true, first.result, [], 0);

  const problem = platformProblem() ?? nodeProblem();
  if (problem !== undefined) throw new SetupError(platformProblem() ? 'platform' : 'node', problem);
  const packageDir = path.join(projectRoot, 'node_modules', '@tensorflow', 'tfjs-node');
  const version = pinnedVersion();
  const steps: string[] = [];
  const why = packageProblem(packageDir, version);
  if (why !== undefined) {
    say(`@tensorflow/tfjs-node: ${why}`);
    await installPackage(version, say);
    const still = packageProblem(packageDir, version);
    if (still !== undefined) throw new SetupError('npm', `after \`npm install\`, @tensorflow/tfjs-node is still unusable: ${still}.`);
    steps.push(`installed @tensorflow/tfjs-node@${version}`);
  }
  const { downloadedBytes } = await ensureLibtensorflow(packageDir, options.wheel, say);
  if (downloadedBytes > 0 || options.wheel !== undefined) steps.push(`unpacked libtensorflow ${TENSORFLOW_WHEEL.version}`);
  if (applyLinks(linkPlan(packageDir, libtensorflowDir(cacheRoot()), expectedLibtensorflowVersion(packageDir))) > 0) {
    steps.push('linked it into the package');
  }
  await buildBinding(say);
  steps.push('built the binding');
  const last = probe();
  if (!last.ok) throw last.error;
  return summary(false, last.result, steps, downloadedBytes);
}

function megabytes(bytes: number): string {
  return `${Math.round(bytes / 1e6)} MB`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { wheel: { type: 'string' }, force: { type: 'boolean' }, check: { type: 'boolean' } } });
  if (values.check) {
    const result = probe();
    if (result.ok) {
      console.log(`setup:tfjs-node: @tensorflow/tfjs-node ${result.result.tfjsNode} works (libtensorflow ${result.result.libtensorflow}).`);
      return 0;
    }
    console.error(
      `setup:tfjs-node: the tensorflow backend is not available: ${result.absent ? '@tensorflow/tfjs-node is not installed' : result.error.message}\n` +
        'Run `npm run setup:tfjs-node` first.',
    );
    return 1;
  }
  const say: Say = (line) => console.log(`setup:tfjs-node: ${line}`);
  try {
    const s = await setupTfjsNode({ wheel: values.wheel, force: values.force }, say);
    const what = `@tensorflow/tfjs-node ${s.probe.tfjsNode} on libtensorflow ${s.probe.libtensorflow}: backend ${s.probe.backend}, matmul and nested tf.grad right`;
    if (s.alreadyWorking) {
      console.log(`setup:tfjs-node: ready; nothing to do (${what}).`);
    } else {
      const download = s.downloadedBytes > 0 ? `downloaded ${megabytes(s.downloadedBytes)}, ` : '';
      console.log(`setup:tfjs-node: ready in ${s.seconds.toFixed(0)} s (${s.steps.join('; ')}; ${download}cache ${megabytes(s.cacheBytes)} in ${s.cacheDir}).`);
      console.log(`setup:tfjs-node: ${what}.`);
    }
    return 0;
  } catch (error) {
    const kind = error instanceof SetupError ? ` (${error.kind})` : '';
    console.error(`setup:tfjs-node failed${kind}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (require.main === module) {
  main().then((code) => process.exit(code));
}
