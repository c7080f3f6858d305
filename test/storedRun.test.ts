import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { readSinusoidRun, seedScores, seedSpread, storedRunLabel } from '../src/meta';

const results = path.resolve(__dirname, '..', 'results');

describe('seedSpread', () => {
  test('mean, sample standard deviation, range and count', () => {
    const s = seedSpread([0.5, 0.7, 0.6]);
    assert.ok(Math.abs(s.mean - 0.6) < 1e-15 && Math.abs(s.sd - 0.1) < 1e-15, JSON.stringify(s));
    assert.deepEqual([s.min, s.max, s.n], [0.5, 0.7, 3]);
    assert.deepEqual(seedSpread([2]), { mean: 2, sd: 0, min: 2, max: 2, n: 1 });
  });
  test('no values, or a value that is not finite, is an error naming it', () => {
    assert.throws(() => seedSpread([]), /at least one value/);
    assert.throws(() => seedSpread([1, Number.NaN]), /value 1 is NaN/);
  });
});

describe('stored sinusoid runs (results/)', () => {
  test('each committed file reads back: five seeds, every method, trained on the kernel at a clean commit', () => {
    for (const name of ['sinusoid-finn2017-k10', 'sinusoid-finn2017-k5', 'sinusoid-li2017-k5']) {
      const run = readSinusoidRun(path.join(results, `${name}.json`));
      assert.deepEqual(run.seeds, [0, 1, 2, 3, 4], name);
      assert.equal(run.provenance.engine, 'kernel');
      assert.match(run.provenance.commit ?? '', /^[0-9a-f]{40}$/);
      assert.equal(run.provenance.dirty, false);
      assert.match(storedRunLabel(run), new RegExp(`^stored run: ${run.protocol}, K = ${run.shots}, [\\d,]+ iterations, seeds 0–4; kernel engine, wasm backend; maml-lab [\\d.]+ at commit [0-9a-f]{12}, \\d{4}-\\d\\d-\\d\\d$`));
    }
  });
  test('seedScores reads one figure per seed, at the trained K or a tested one', () => {
    const li = readSinusoidRun(path.join(results, 'sinusoid-li2017-k5.json'));
    assert.deepEqual(seedScores(li, 'fomaml', { steps: 10 }), li.runs.map((r) => r.results.fomaml['10'].mse));
    assert.deepEqual(seedScores(li, 'maml', { steps: 1, shots: 20 }), li.runs.map((r) => r.results.maml.tested!['20']['1'].mse));
    assert.deepEqual(seedScores(li, 'maml', { steps: 1, shots: 5 }), seedScores(li, 'maml', { steps: 1 }));
    assert.throws(() => seedScores(li, 'maml', { steps: 1, shots: 7 }), /no score from K = 7/);
  });
  test('a file that is not a complete stored run is refused, naming the file and what is wrong', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-stored-'));
    try {
      const good = JSON.parse(fs.readFileSync(path.join(results, 'sinusoid-finn2017-k5.json'), 'utf8'));
      const write = (name: string, value: unknown) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, JSON.stringify(value));
        return file;
      };
      const { provenance: _, runs: __, ...noRuns } = good;
      assert.throws(() => readSinusoidRun(write('old.json', noRuns)), /old\.json is not a stored run of `reproduce sinusoid --json`: it has no provenance, runs/);
      assert.throws(() => readSinusoidRun(write('stopped.json', { ...good, interrupted: true })), /stopped\.json holds a run that was stopped early/);
      const diverged = structuredClone(good);
      diverged.runs[2].results.reptile = { error: 'training diverged at iteration 9' };
      assert.throws(() => readSinusoidRun(write('diverged.json', diverged)), /diverged\.json: seed 2 \(run 2\) has no result for reptile: training diverged at iteration 9/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
