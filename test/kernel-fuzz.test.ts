/*
 * Differential fuzzing of the kernel (test/fuzz/): random MLPs, task batches, methods and settings, and
 * random sequences of calls on one cached kernel — meta-gradients, Hessians and their split, products,
 * Lanczos, training, evaluation — interleaved with calls that fail (divergence, indefinite iMAML, bad
 * shapes, a workspace over wasm's 4 GiB) and with NaN written over the kernel's memory; every result is
 * compared with the float64 twin, on a sample with tfjs (tolerances: test/fuzz/check.ts).
 *
 *   node --import tsx --test test/kernel-fuzz.test.ts                                  the in-suite run: seed 1, 30 cases
 *   MAML_LAB_FUZZ_SECONDS=600 MAML_LAB_FUZZ_SEED=$RANDOM node --import tsx --test test/kernel-fuzz.test.ts   ten minutes
 *   MAML_LAB_FUZZ_SEED=1 MAML_LAB_FUZZ_CASE=17 node --import tsx --test test/kernel-fuzz.test.ts            one case again
 *
 * MAML_LAB_FUZZ_CASES sets the number of cases. A failing case prints the line that reruns it alone (each
 * case starts from a fresh kernel and draws from its own stream).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ready } from '../src/meta';
import { makeCase } from './fuzz/cases';
import { describeCase, runCase } from './fuzz/check';
import { random } from './fuzz/random';

before(async () => {
  await ready();
});

function integer(name: string, fallback: number | undefined): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`);
  return value;
}

const IN_SUITE_CASES = 30;

test('kernel fuzz: random networks, batches and call sequences agree with the float64 twin (and tfjs on a sample)', { timeout: 3_600_000 }, async (t) => {
  const seed = integer('MAML_LAB_FUZZ_SEED', 1)!;
  const only = integer('MAML_LAB_FUZZ_CASE', undefined);
  const seconds = integer('MAML_LAB_FUZZ_SECONDS', undefined);
  const count = integer('MAML_LAB_FUZZ_CASES', IN_SUITE_CASES)!;
  const started = Date.now();
  const more = (index: number) => (only !== undefined ? index === only : seconds !== undefined ? Date.now() - started < seconds * 1000 : index < count);
  const worst = new Map<string, { relative: number; ratio: number }>();
  const failures: string[] = [];
  let [cases, calls, compared, skipped, refused] = [0, 0, 0, 0, 0];
  const tensorsBefore = tf.memory().numTensors;
  for (let index = only ?? 0; more(index); index++) {
    const c = makeCase(random(seed, index), seed, index);
    const report = await runCase(c);
    cases++;
    calls += report.calls;
    compared += report.comparisons.length;
    skipped += report.skipped;
    refused += report.refused;
    for (const { quantity, relative, ratio } of report.comparisons) {
      const key = quantity.replace(/ loss \d+$/, ' loss');
      const w = worst.get(key) ?? { relative: 0, ratio: 0 };
      worst.set(key, { relative: Math.max(w.relative, relative), ratio: Math.max(w.ratio, ratio) });
    }
    if (report.failure !== undefined) {
      const { call, kind, message } = report.failure;
      const line = `kernel fuzz: seed ${seed} case ${index}, call ${call} (${kind}): ${message} — ${describeCase(c)} — rerun: MAML_LAB_FUZZ_SEED=${seed} MAML_LAB_FUZZ_CASE=${index} node --import tsx --test test/kernel-fuzz.test.ts`;
      failures.push(line);
      t.diagnostic(line);
    }
  }
  t.diagnostic(`seed ${seed}: ${cases} cases, ${calls} calls, ${compared} comparisons, ${skipped} not compared (ill-posed in float32), ${refused} failing calls refused as they should, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const [quantity, w] of [...worst].sort()) t.diagnostic(`  ${quantity}: worst relative error ${w.relative.toExponential(2)}, worst error/tolerance ${w.ratio.toFixed(3)}`);
  assert.deepEqual(failures, [], `${failures.length} failing case(s):\n${failures.join('\n')}`);
  assert.equal(tf.memory().numTensors, tensorsBefore, 'the fuzzed calls left tensors behind');
  assert.ok(compared > 0, 'nothing was compared');
});
