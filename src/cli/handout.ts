/**
 * `maml-lab handout SRC.ipynb… OUTDIR`: what a teacher gives students. Not the repository (its
 * notebooks/homework holds the solutions and hidden tests), but a folder with the student versions, the
 * package as a packed tarball, a package.json that depends on it, and a README: `npm install && npm start`
 * there installs maml-lab into the folder's node_modules and opens JupyterLab (`maml-lab lab`).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readAssignmentFile } from '../homework/assignment';
import { packageRoot } from '../notebook/venv';
import { writeStudentVersion, type AssignResult } from './assign';
import { HandoutUsageError } from './lab';

/** How to make a handout. */
export interface HandoutOptions {
  /** Replace the handout's files if OUTDIR already has them (other files in OUTDIR are never touched). */
  force?: boolean;
  /** A tarball made earlier by `npm pack`, copied in instead of packing this installation of maml-lab. */
  packageFile?: string;
  /** The npm to pack with (default: `npm` on PATH). */
  npm?: string;
}

/** What `writeHandout` wrote. */
export interface HandoutResult {
  dir: string;
  notebooks: AssignResult[];
  /** The package tarball in `dir`, and its size. */
  tarball: string;
  tarballBytes: number;
  /** True when the tarball was packed now, false when `packageFile` was copied. */
  packed: boolean;
  /** Every file written, notebooks included. */
  files: string[];
}

/** A folder's name as an npm package name: lowercase, URL-safe, not starting with . or _. */
function packageName(dir: string): string {
  const slug = path.basename(path.resolve(dir)).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '');
  return slug === '' ? 'homework' : slug.slice(0, 214);
}

/** The file name `npm pack` gives this package: name-version.tgz (a scope's @ dropped, its / a dash). */
function tarballName(): string {
  const manifest = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { name: string; version: string };
  return `${manifest.name.replace(/^@/, '').replace(/\//g, '-')}-${manifest.version}.tgz`;
}

/**
 * `npm pack` of this installation of the package into `dir`. --ignore-scripts: packing runs `prepare`
 * (the build), which needs the dev dependencies a checkout has and an installed package lacks; the dist/
 * that runs this command is the one packed.
 */
function pack(npm: string, dir: string): string {
  if (!existsSync(path.join(packageRoot, 'dist', 'index.js'))) {
    throw new Error(`${path.join(packageRoot, 'dist')} is not built; run \`npm run build\` in ${packageRoot} first`);
  }
  const r = spawnSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir, packageRoot], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error !== undefined) {
    throw new Error(`could not run ${npm} to pack maml-lab (${r.error.message}); npm comes with Node.js, or pass --package FILE.tgz`);
  }
  if (r.status !== 0) throw new Error(`\`npm pack ${packageRoot}\` failed (exit ${r.status}):\n${r.stderr.trim()}`);
  const [packed] = JSON.parse(r.stdout) as { filename: string }[];
  return path.join(dir, path.basename(packed.filename));
}

/** package.json of the handout: maml-lab from the tarball beside it, and `npm start` = `maml-lab lab`. */
function handoutManifest(dir: string, tarball: string): string {
  const manifest = {
    name: packageName(dir),
    version: '1.0.0',
    private: true,
    description: 'Homework notebooks; `npm install && npm start` opens them in JupyterLab (see README.md).',
    scripts: { start: 'maml-lab lab' },
    dependencies: { 'maml-lab': `file:${tarball}` },
    engines: { node: '>=20' },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** The students' README: what to install, the two commands, what ✓ and ✗ mean, what to hand in. */
function handoutReadme(notebooks: AssignResult[], tarball: string): string {
  const list = notebooks
    .map((n) => `- \`${path.basename(n.file)}\`: ${n.questions.length} question${n.questions.length === 1 ? '' : 's'}, ${n.totalPoints} points`)
    .join('\n');
  return `# Homework

${list}

## Setting up (once)

You need Node.js 20 or newer (\`node --version\`) and Python 3 with its \`venv\` module (\`python3 --version\`;
on Debian or Ubuntu, \`sudo apt install python3-venv\`), on Linux or macOS (on Windows, use WSL). In this
folder, run:

\`\`\`sh
npm install
npm start
\`\`\`

- \`npm install\` installs maml-lab, the package the notebooks import (from \`${tarball}\` in this folder),
  with the TypeScript kernel and TensorFlow.js, into \`node_modules\` (about 420 MB).
- \`npm start\` opens JupyterLab on this folder and prints its address, \`http://127.0.0.1:8888/lab?token=…\`:
  open it in your browser. The first time, it first installs JupyterLab with pip (about 20 s, into
  \`node_modules/maml-lab/.venv\`). Ctrl-C stops it. \`npm start -- --port 9000\` picks another port.

## Working on an assignment

Open a notebook and run its cells from the top (Run → Run All Cells). Each answer cell throws "not
implemented yet" until you replace that line with your code. \`await check(q1, …)\` then runs the public
tests on your answer and shows ✓, or ✗ with a hint. Passing them is not the grade: your teacher grades
with more tests.

Hand in the \`.ipynb\` files as your teacher asks (not \`node_modules\`).
`;
}

const GITIGNORE = 'node_modules/\n.ipynb_checkpoints/\n';

// maml-lab's one optional dependency, @tensorflow/tfjs-node, downloads TensorFlow's C library from Google's
// storage while installing (hundreds of MB, and it fails offline); the homework runs on the wasm backend.
const NPMRC = '# Skip @tensorflow/tfjs-node (a large native download); the notebooks run on tfjs\'s wasm backend.\nomit=optional\n';

/**
 * Writes a handout to `outDir`: the student version of each source (`maml-lab assign`'s code: solutions
 * stubbed, hidden tests removed, outputs cleared), the package tarball, package.json, README.md,
 * .gitignore and .npmrc (no optional dependencies). Every source is checked before anything is written;
 * an existing file is replaced only with `force`; the sources are only read.
 *
 * @example
 * import { mkdtempSync, writeFileSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import path from 'node:path';
 * import { writeHandout } from './handout';
 * const dir = mkdtempSync(path.join(tmpdir(), 'handout-'));
 * const nbgrader = (m: object) => ({ nbgrader: { schema_version: 3, ...m } });
 * writeFileSync(path.join(dir, 'hw.ipynb'), JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: 'tslab' } }, cells: [
 *   { cell_type: 'code', source: '// BEGIN SOLUTION\nconst y = 2;\n// END SOLUTION', metadata: nbgrader({ solution: true, grade: false, locked: false, grade_id: 'q1-answer' }), outputs: [], execution_count: null },
 * ] }));
 * writeFileSync(path.join(dir, 'maml-lab-0.0.0.tgz'), 'a tarball made earlier by npm pack');
 * const out = writeHandout([path.join(dir, 'hw.ipynb')], path.join(dir, 'class'), { packageFile: path.join(dir, 'maml-lab-0.0.0.tgz') });
 * out.files.map((f) => path.basename(f)) // ["hw.ipynb", "maml-lab-0.0.0.tgz", "package.json", "README.md", ".gitignore", ".npmrc"]
 */
export function writeHandout(sources: string[], outDir: string, options: HandoutOptions = {}): HandoutResult {
  if (sources.length === 0) throw new HandoutUsageError('handout needs at least one SRC.ipynb');
  const names = sources.map((s) => path.basename(s));
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new Error(`two sources are named ${twice}; they would be the same file in ${outDir}`);
  // Read and check every source first, so that a bad second source leaves no half-made handout.
  for (const source of sources) readAssignmentFile(source);

  const given = options.packageFile;
  if (given !== undefined && !(given.endsWith('.tgz') && existsSync(given) && statSync(given).isFile())) {
    throw new Error(`--package ${given} is not a .tgz file; make one with \`npm pack\` of maml-lab`);
  }
  const tarball = path.join(outDir, given === undefined ? tarballName() : path.basename(given));
  const givenInPlace = given !== undefined && existsSync(tarball) && realpathSync(given) === realpathSync(tarball);
  const manifest = path.join(outDir, 'package.json');
  const readme = path.join(outDir, 'README.md');
  const gitignore = path.join(outDir, '.gitignore');
  const npmrc = path.join(outDir, '.npmrc');
  const targets = [...names.map((n) => path.join(outDir, n)), ...(givenInPlace ? [] : [tarball]), manifest, readme, gitignore, npmrc];
  const existing = targets.filter((f) => existsSync(f));
  if (existing.length > 0 && !options.force) {
    throw new Error(`${existing.join(', ')} ${existing.length === 1 ? 'exists' : 'exist'}; pass --force to overwrite`);
  }

  // Packed first, in a folder of its own: npm is the step most likely to fail, and then nothing is written.
  const staging = mkdtempSync(path.join(tmpdir(), 'maml-lab-handout-'));
  try {
    const made = given === undefined ? pack(options.npm ?? 'npm', staging) : undefined;
    const notebooks = sources.map((s) => writeStudentVersion(s, outDir, { force: options.force }));
    if (made !== undefined) renameOrCopy(made, tarball);
    else if (!givenInPlace) copyFileSync(given as string, tarball);
    writeFileSync(manifest, handoutManifest(outDir, path.basename(tarball)));
    writeFileSync(readme, handoutReadme(notebooks, path.basename(tarball)));
    writeFileSync(gitignore, GITIGNORE);
    writeFileSync(npmrc, NPMRC);
    return {
      dir: outDir,
      notebooks,
      tarball,
      tarballBytes: statSync(tarball).size,
      packed: made !== undefined,
      files: [...notebooks.map((n) => n.file), tarball, manifest, readme, gitignore, npmrc],
    };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** A rename, or a copy where the staging folder is on another filesystem (a tmpfs /tmp). */
function renameOrCopy(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/**
 * `maml-lab handout SRC.ipynb [SRC2.ipynb …] OUTDIR [--package FILE.tgz] [--force]`; returns the exit code.
 *
 * @example
 * import { handoutCommand } from './handout';
 * // OUTDIR alone is not enough: a usage error, which the command line prints with the usage (exit code 2)
 * try { handoutCommand(['class']); } catch (error) { console.log((error as Error).message); }
 */
export function handoutCommand(args: string[]): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { force: { type: 'boolean' }, package: { type: 'string' } } });
  if (positionals.length < 2) throw new HandoutUsageError('handout needs SRC.ipynb… and OUTDIR: `maml-lab handout SRC.ipynb [SRC2.ipynb …] OUTDIR [--package FILE.tgz] [--force]`');
  const sources = positionals.slice(0, -1);
  const outDir = positionals[positionals.length - 1];
  const notNotebook = sources.find((s) => !s.endsWith('.ipynb'));
  if (notNotebook !== undefined) throw new HandoutUsageError(`each SRC must be a .ipynb notebook, got ${JSON.stringify(notNotebook)}`);
  if (outDir.endsWith('.ipynb')) throw new HandoutUsageError(`the last argument is OUTDIR, a folder, got ${JSON.stringify(outDir)}`);
  const out = writeHandout(sources, outDir, { force: values.force, packageFile: values.package });
  for (const n of out.notebooks) {
    console.log(`wrote ${n.file}: ${n.questions.length} graded question${n.questions.length === 1 ? '' : 's'}, ${n.totalPoints} points; ${n.stubs} solution region${n.stubs === 1 ? '' : 's'} stubbed, ${n.hiddenRegions} hidden-test region${n.hiddenRegions === 1 ? '' : 's'} removed`);
  }
  const kB = Math.round(out.tarballBytes / 1000);
  console.log(`${out.packed ? 'packed' : 'copied'} ${out.tarball} (${kB} kB)${out.packed ? ` from ${packageRoot}` : ''}; wrote package.json, README.md, .gitignore, .npmrc`);
  console.log(`\nStudents get the folder ${out.dir} and run, in it: npm install && npm start`);
  return 0;
}
