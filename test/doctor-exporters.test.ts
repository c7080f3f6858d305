/*
 * The doctor's exporters (examples/doctor/): each snippet writes the doctor's JSON from a framework's own
 * MAML, and the built CLI must name what the snippet computes. The Python ones run in a venv of their own,
 * `.venv-doctor-peers` (git-ignored), with the bench's pinned CPU torch and jax (bench/requirements-peers.txt)
 * installed once from pip's mirror and reused while they import: never in `.venv`, the venv a student's
 * kernel runs in. The built CLI (`maml-lab doctor FILE --json`) diagnoses the first file of each expected
 * name per exporter; the others go through the same two functions in this process (`runDoctor`, then
 * `doctorJson`, what the CLI prints), which saves about a second of node and tfjs start-up per file, 20 s of
 * CI in all. Their numbers are float64, so a match is at rounding (~1e-15); the package's own exporter
 * computes in float32 (~1e-7). Either way the match must be within the doctor's 1e-4 and every variant that
 * does not coincide with it for the input at least 1% away (beyond that the doctor would not even say
 * "closest to").
 */
import { before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensurePeers } from '../bench/setup_peers';
import { projectRoot, runCaptured } from '../scripts/jupyter';
import { MATCH_TOLERANCE, NONE_TOLERANCE } from '../src/derivations';
import { doctorJson, runDoctor } from '../src/cli/doctor';
import { ready } from '../src/meta';
import { runCli } from './cliRun';

const peersVenv = path.join(projectRoot, '.venv-doctor-peers');
const examples = path.join(projectRoot, 'examples', 'doctor');

/** Each exporter, how it runs, and the variant each of its files must be named: by the file name's part. */
const EXPORTERS: { file: string; python: boolean; expect: (json: string) => string; count: number }[] = [
  { file: 'torch_loop.py', python: true, expect: (f) => (f.includes('-no_create_graph-') ? 'fomaml' : 'maml'), count: 8 },
  { file: 'torch_func.py', python: true, expect: () => 'maml', count: 4 },
  { file: 'jax_loop.py', python: true, expect: () => 'maml', count: 4 },
  { file: 'maml_pytorch_style.py', python: true, expect: () => 'fomaml', count: 4 },
  { file: 'maml_lab.ts', python: false, expect: (f) => (f.includes('-fomaml-') ? 'fomaml' : 'maml'), count: 8 },
];

interface Candidate {
  name: string;
  relativeError: number;
}

/** The names the verdict says coincide with the nearest for this input ("…; a, b coincide with it …"). */
function coincidentOf(verdict: string): string[] {
  const m = /; (.+) coincides? with it for this input/.exec(verdict);
  return m ? m[1].split(', ') : [];
}

/** Runs one exporter into a fresh folder, then the CLI on each file it wrote; asserts and reports residuals. */
function checkExporter(t: TestContext, exporter: (typeof EXPORTERS)[number], python: string): void {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-exporters-'));
  const script = path.join(examples, exporter.file);
  const started = Date.now();
  const run = exporter.python ? runCaptured(python, [script, out], `Running ${exporter.file}`) : runCaptured(process.execPath, ['--import', 'tsx', script, out], `Running ${exporter.file}`);
  const seconds = (Date.now() - started) / 1000;
  assert.equal(run.status, 0, `${exporter.file} failed:\n${run.stderr.slice(-3000)}`);
  const files = fs.readdirSync(out).filter((f) => f.endsWith('.json')).sort();
  assert.equal(files.length, exporter.count, `${exporter.file} wrote ${files.join(', ')}`);
  t.diagnostic(`${exporter.file}: ran in ${seconds.toFixed(1)} s, wrote ${files.length} files`);
  const throughCli = new Set<string>();
  for (const file of files) {
    const expected = exporter.expect(file);
    let printed: string;
    if (!throughCli.has(expected)) {
      throughCli.add(expected);
      const r = runCli(['doctor', path.join(out, file), '--json']);
      assert.equal(r.code, 0, `${file}: ${r.stderr}`);
      printed = r.stdout;
    } else {
      printed = doctorJson(runDoctor(JSON.parse(fs.readFileSync(path.join(out, file), 'utf8'))));
    }
    const { nearest, verdict, candidates } = JSON.parse(printed) as { nearest: string; verdict: string; candidates: Candidate[] };
    assert.equal(nearest, expected, `${file}: ${verdict}`);
    const named = candidates.find((c) => c.name === expected)!;
    assert.ok(named.relativeError < MATCH_TOLERANCE, `${file}: ${expected} is off by ${named.relativeError}`);
    const others = candidates.filter((c) => c.name !== expected && !coincidentOf(verdict).includes(c.name));
    const runnerUp = others.reduce((a, b) => (b.relativeError < a.relativeError ? b : a));
    assert.ok(runnerUp.relativeError > NONE_TOLERANCE, `${file}: ${runnerUp.name} is only ${runnerUp.relativeError} away`);
    t.diagnostic(`${file}: ${expected} ${named.relativeError.toExponential(2)}, nearest other ${runnerUp.name} ${runnerUp.relativeError.toExponential(2)}`);
  }
  fs.rmSync(out, { recursive: true, force: true });
}

describe('the doctor names what each exporter in examples/doctor computes', () => {
  const built = fs.existsSync(path.join(projectRoot, 'dist', 'index.js'));
  // The snippets test the doctor against other frameworks, not the backend: they run in CI's wasm pass, and
  // the tensorflow pass leaves them out (the doctor's arithmetic is float64 on the CPU in both).
  const skip = !built ? 'needs `npm run build` (npm test builds first)' : process.env.MAML_LAB_BACKEND === 'tensorflow' ? 'the exporters run in the wasm pass (MAML_LAB_BACKEND=wasm)' : false;
  /** Why the Python exporters cannot run here, when they cannot (outside CI only). */
  let peersMissing: string | undefined;
  const python = path.join(peersVenv, 'bin', 'python');

  before(async () => {
    if (skip) return;
    await ready();
    try {
      const r = ensurePeers((line) => console.log(line), peersVenv);
      const versions = Object.entries(r.versions).map(([name, version]) => `${name} ${version}`).join(', ');
      console.log(r.installed ? `# installed ${versions} into .venv-doctor-peers in ${r.seconds.toFixed(0)} s (+${r.addedMiB.toFixed(0)} MiB)` : `# .venv-doctor-peers: ${versions}`);
    } catch (error) {
      // In CI the peers must install: a failure there is a failure. Elsewhere (no mirror, offline, no
      // python3-venv) the Python snippets are skipped, saying why.
      if (process.env.CI) throw error;
      const lines = String((error as Error).message).split('\n').filter(Boolean);
      const why = lines.find((line) => line.startsWith('ERROR:')) ?? lines[lines.length - 1];
      peersMissing = `torch and jax could not be installed into .venv-doctor-peers from pip's mirror (${why})`;
    }
  });

  for (const exporter of EXPORTERS) {
    test(exporter.file, { skip, timeout: 300_000 }, (t) => {
      if (exporter.python && peersMissing !== undefined) return t.skip(peersMissing);
      checkExporter(t, exporter, python);
    });
  }
});
