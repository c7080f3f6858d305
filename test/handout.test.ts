/**
 * `maml-lab handout`: the folder a teacher gives students. One handout of the three assignments is made
 * with the real `npm pack`, installed once with npm (from the warm cache), and each student notebook is
 * run there through the package's executor, with the kernel in the handout folder, so `maml-lab` comes from
 * the handout's own node_modules (the tarball), not from this checkout. Needs `npm run build` (the tarball
 * packs dist/) and `npm run setup` (the executor's venv); npm on PATH.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { cellSource, type Notebook } from '../src/homework';
import { executeNotebook, type CellRun } from '../src/notebook/execute';
import { secretLines } from './assignment-secrets';

const root = path.join(__dirname, '..');
const homeworkDir = path.join(root, 'notebooks', 'homework');
const sources = fs.readdirSync(homeworkDir).filter((f) => f.endsWith('.ipynb')).sort().map((f) => path.join(homeworkDir, f));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'handout-test-'));
const handout = path.join(work, 'class');

/** Runs `maml-lab …` from the sources (no build of the CLI needed), as the bin script runs it. */
function cli(args: string[]) {
  const script = `require(${JSON.stringify(path.join(root, 'src', 'cli'))}).main(process.argv.slice(1)).then((code) => { process.exitCode = code; })`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script, ...args], { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file under `dir` but node_modules (what npm installs is not the handout's). */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.name === 'node_modules' ? [] : e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}

/** The TypeScript files under `dir`. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** A file's lines, trimmed: a notebook's cell lines, a tarball's unpacked text (tar headers are ASCII). */
function linesOf(file: string): string[] {
  const bytes = fs.readFileSync(file);
  const text = file.endsWith('.tgz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  const lines = file.endsWith('.ipynb') ? (JSON.parse(text) as Notebook).cells.flatMap((c) => cellSource(c).split('\n')) : text.split('\n');
  return lines.map((l) => l.trim());
}

/** What a cell showed as text: its streams and the text/plain of its displays. */
function shown(cell: CellRun): string {
  return cell.outputs
    .map((o) => {
      const out = o as { text?: string | string[]; data?: Record<string, string | string[]> };
      const text = out.text ?? out.data?.['text/plain'] ?? '';
      return Array.isArray(text) ? text.join('') : text;
    })
    .join('');
}

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

describe('maml-lab handout', { timeout: 600_000 }, () => {
  let made: ReturnType<typeof cli>;

  before(() => {
    const started = performance.now();
    made = cli(['handout', ...sources, handout]);
    console.log(`handout made (npm pack) in ${seconds(started)} s`);
  });

  after(() => fs.rmSync(work, { recursive: true, force: true }));

  test('writes the student versions, the tarball, package.json, README.md, .gitignore and .npmrc', () => {
    assert.equal(made.code, 0, made.stderr);
    const names = fs.readdirSync(handout).sort();
    const tarball = names.find((n) => /^maml-lab-.*\.tgz$/.test(n));
    assert.ok(tarball, `no maml-lab tarball in ${names.join(', ')}`);
    assert.deepEqual(names, ['.gitignore', '.npmrc', ...sources.map((s) => path.basename(s)), 'README.md', tarball, 'package.json'].sort());
    const manifest = JSON.parse(fs.readFileSync(path.join(handout, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; scripts: Record<string, string> };
    assert.deepEqual(manifest.dependencies, { 'maml-lab': `file:${tarball}` });
    assert.equal(manifest.scripts.start, 'maml-lab lab');
    assert.match(fs.readFileSync(path.join(handout, 'README.md'), 'utf8'), /npm install\nnpm start/);
    const entries = spawnSync('tar', ['tzf', path.join(handout, tarball)], { encoding: 'utf8' }).stdout.split('\n');
    assert.ok(entries.includes('package/dist/cli/handout.js'), 'the tarball holds the built package');
    assert.deepEqual(entries.filter((e) => /^package\/(notebooks|src|test|scripts)\/|\.ipynb$/.test(e)), [], 'the tarball holds no notebooks, sources, tests or scripts');
  });

  test('no solution or hidden-test line in any file of the handout, the tarball unpacked included', () => {
    assert.equal(made.code, 0, made.stderr);
    const secrets = sources.flatMap((s) => secretLines(JSON.parse(fs.readFileSync(s, 'utf8')) as Notebook));
    assert.ok(secrets.length > 20, `expected the sources' solution and hidden-test lines, found ${secrets.length}`);
    // The package's own code may share a line with a solution (`let theta = inst.theta;`): a line of the
    // tarball is a leak only when it is not a line of src/, which dist/ is compiled from.
    const library = new Set(sourceFiles(path.join(root, 'src')).flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').map((l) => l.trim())));
    const files = filesUnder(handout);
    assert.ok(files.length >= sources.length + 5, files.join(', '));
    for (const file of files) {
      const lines = new Set(linesOf(file));
      const allowed = file.endsWith('.tgz') ? library : new Set<string>();
      for (const secret of secrets) assert.ok(!lines.has(secret) || allowed.has(secret), `${path.basename(file)} holds a solution or hidden-test line: ${secret}`);
      assert.ok(!lines.has('// BEGIN SOLUTION') && !lines.has('// BEGIN HIDDEN TESTS'), `${path.basename(file)} holds a marker`);
    }
  });

  test('the secret scan bites: a source copied into the handout is caught', () => {
    const secrets = secretLines(JSON.parse(fs.readFileSync(sources[0], 'utf8')) as Notebook);
    const lines = new Set(linesOf(sources[0]));
    assert.ok(secrets.some((s) => lines.has(s)));
  });

  test('refuses to overwrite without --force, naming the files, and never touches the sources', () => {
    assert.equal(made.code, 0, made.stderr);
    const before = sources.map((s) => fs.readFileSync(s, 'utf8'));
    const readme = path.join(handout, 'README.md');
    const original = fs.readFileSync(readme, 'utf8');
    fs.writeFileSync(readme, 'edited by hand');
    const refused = cli(['handout', ...sources, handout]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /README\.md.* exist; pass --force to overwrite/);
    assert.equal(fs.readFileSync(readme, 'utf8'), 'edited by hand');
    // --force with a given tarball: copied byte for byte, nothing packed.
    const given = path.join(work, 'maml-lab-9.9.9.tgz');
    fs.copyFileSync(path.join(handout, fs.readdirSync(handout).find((n) => n.endsWith('.tgz')) as string), given);
    const again = cli(['handout', sources[0], path.join(work, 'second'), '--package', given]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /copied .*maml-lab-9\.9\.9\.tgz/);
    assert.deepEqual(fs.readFileSync(path.join(work, 'second', 'maml-lab-9.9.9.tgz')), fs.readFileSync(given));
    assert.match(fs.readFileSync(path.join(work, 'second', 'package.json'), 'utf8'), /"maml-lab": "file:maml-lab-9\.9\.9\.tgz"/);
    const forced = cli(['handout', ...sources, handout, '--force', '--package', given]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(fs.readFileSync(readme, 'utf8').replace(/maml-lab-9\.9\.9\.tgz/g, 'X'), original.replace(/maml-lab-[\d.]+\.tgz/g, 'X'));
    fs.rmSync(path.join(handout, 'maml-lab-9.9.9.tgz'));
    // Put the packed tarball back in package.json for the install below.
    assert.equal(cli(['handout', ...sources, handout, '--force']).code, 0);
    assert.deepEqual(sources.map((s) => fs.readFileSync(s, 'utf8')), before, 'a source changed');
  });

  test('bad input: a usage mistake exits 2; a bad source writes nothing', () => {
    assert.equal(cli(['handout', handout]).code, 2);
    assert.equal(cli(['handout', path.join(work, 'notes.txt'), path.join(work, 'x')]).code, 2);
    const broken = path.join(work, 'broken.ipynb');
    fs.writeFileSync(broken, 'this is not json');
    const r = cli(['handout', sources[0], broken, path.join(work, 'never')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /broken\.ipynb is not a notebook/);
    assert.equal(fs.existsSync(path.join(work, 'never')), false, 'nothing was written');
  });

  test('installed with npm, each student notebook runs there: every cell ok, every check ✗ "not implemented yet"', { timeout: 600_000 }, async () => {
    assert.equal(made.code, 0, made.stderr);
    let started = performance.now();
    const install = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: handout, encoding: 'utf8', timeout: 300_000 });
    assert.equal(install.status, 0, `npm install in the handout failed:\n${install.stderr}`);
    console.log(`npm install in the handout: ${seconds(started)} s`);
    const installed = path.join(handout, 'node_modules', 'maml-lab');
    assert.ok(fs.existsSync(path.join(installed, 'dist', 'index.js')) && !fs.lstatSync(installed).isSymbolicLink(), 'maml-lab is unpacked from the tarball');
    // The kernelspec `npm start` would write points at the handout's tslab (npm hoists it beside maml-lab).
    const setupModule = path.join(installed, 'dist', 'notebook', 'setup.js');
    const setup = spawnSync(process.execPath, ['-p', `require(${JSON.stringify(setupModule)}).tslabKernelSpec().argv[3]`], { cwd: handout, encoding: 'utf8' });
    assert.equal(setup.stdout.trim(), path.join(handout, 'node_modules', 'tslab', 'bin', 'tslab'), setup.stderr);
    assert.ok(fs.existsSync(setup.stdout.trim()));

    for (const source of sources) {
      const name = path.basename(source);
      const saved = JSON.parse(fs.readFileSync(path.join(handout, name), 'utf8')) as Notebook;
      // Sources as strings: the executor (python/) takes a cell's source as one string, not nbformat's list.
      const notebook = { ...saved, cells: saved.cells.map((c) => ({ ...c, source: cellSource(c) })) };
      // A first cell that says where the kernel found maml-lab.
      const probe = { cell_type: 'code', id: 'where-is-maml-lab', metadata: {}, execution_count: null, outputs: [], source: "console.log(require.resolve('maml-lab'));" };
      notebook.cells.unshift(probe);
      started = performance.now();
      // A handout omits optional dependencies (no tfjs-node): its kernels run on wasm, whatever backend
      // this test process was asked for (the CI's tensorflow pass sets MAML_LAB_BACKEND=tensorflow).
      const run = await executeNotebook(notebook, { cwd: handout, cellTimeoutSeconds: 120, isolation: 'none', env: { MAML_LAB_BACKEND: 'wasm' } });
      console.log(`${name}: ran in the handout in ${seconds(started)} s`);
      assert.equal(run.startupError, undefined);
      assert.equal(fs.realpathSync(shown(run.cells[0]).trim()), fs.realpathSync(path.join(installed, 'dist', 'index.js')), `${name}: maml-lab resolved outside the handout`);
      for (const cell of run.cells) {
        assert.equal(cell.status, 'ok', `${name}, cell ${cell.index}: ${cell.status}\n${cell.errorText ?? ''}\n${cellSource(notebook.cells[cell.index])}`);
      }
      const checks = run.cells.filter((c) => /\bcheck\(/.test(cellSource(notebook.cells[c.index])));
      assert.ok(checks.length >= 2, `${name}: expected check cells, found ${checks.length}`);
      for (const cell of checks) {
        const text = shown(cell);
        assert.match(text, /✗/, `${name}, cell ${cell.index}: ${text}`);
        assert.match(text, /not implemented yet/, `${name}, cell ${cell.index}: ${text}`);
        assert.doesNotMatch(text, /✓/, `${name}, cell ${cell.index}: a stub passed a public test: ${text}`);
      }
    }
  });
});
