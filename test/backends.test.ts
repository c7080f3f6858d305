/*
 * tfjs-node's `tensorflow` backend beside wasm and cpu: the engine reports it when asked for it, TensorFlow
 * stays quiet, and the numbers agree across backends (with the one trap they share, documented in the
 * README under "Backends"). The tests that need tfjs-node skip, saying why, where it does not load;
 * `npm run setup:tfjs-node` installs it, and CI's second pass (`npm run test:tensorflow`) runs them.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { flattenParams, metaGradient, mlp, sinusoidTasks, tanh, TENSORFLOW_ENV_DEFAULTS, tidyValue } from '../src/meta';
import { probe } from '../scripts/tfjs-node';
import { jupyterEnv, kernelSpecFile, venvPython } from '../scripts/jupyter';
import fs from 'node:fs';

const root = path.resolve(__dirname, '..');
const tfjsNode = probe(root);
const NO_TFJS_NODE = tfjsNode.ok
  ? false
  : `@tensorflow/tfjs-node does not load here (${tfjsNode.absent ? 'not installed' : tfjsNode.error.message.split('\n')[0]}); \`npm run setup:tfjs-node\` installs it`;

/** Runs a script in a fresh process from the project root (a process chooses its backend once). */
function child(script: string, env: Record<string, string | undefined>) {
  const clean = { ...process.env, ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete clean[key];
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8', env: clean, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.split('\n').filter((l) => l !== '' && !/Unknown user config "nodedir"/.test(l)).join('\n') };
}

const REPORT = `
const { ready } = require('./src/meta');
ready().then((info) => console.log(JSON.stringify({ ...info, level: process.env.TF_CPP_MIN_LOG_LEVEL, onednn: process.env.TF_ENABLE_ONEDNN_OPTS })),
  (e) => { console.error(e.message); process.exit(1); });`;

const unsetDefaults = Object.fromEntries(Object.keys(TENSORFLOW_ENV_DEFAULTS).map((k) => [k, undefined]));

describe('the tensorflow backend in the engine', () => {
  test('MAML_LAB_BACKEND=tensorflow gives the tensorflow backend, and says which libtensorflow', { skip: NO_TFJS_NODE }, () => {
    const r = child(REPORT, { MAML_LAB_BACKEND: 'tensorflow' });
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    assert.equal(info.backend, 'tensorflow');
    assert.match(info.reason, /^forced by MAML_LAB_BACKEND; libtensorflow \d+\.\d+\.\d+$/);
  });

  test('TensorFlow prints nothing at start-up: the engine sets its log level and oneDNN switch when unset', { skip: NO_TFJS_NODE }, () => {
    const r = child(`${REPORT}\nrequire('@tensorflow/tfjs').matMul([[1]], [[2]]).dataSync();`, { MAML_LAB_BACKEND: 'tensorflow', ...unsetDefaults });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'stderr should be empty');
    const info = JSON.parse(r.stdout);
    assert.deepEqual([info.level, info.onednn], [TENSORFLOW_ENV_DEFAULTS.TF_CPP_MIN_LOG_LEVEL, TENSORFLOW_ENV_DEFAULTS.TF_ENABLE_ONEDNN_OPTS]);
  });

  test("a user's own TensorFlow settings win over the engine's defaults", { skip: NO_TFJS_NODE }, () => {
    const r = child(REPORT, { MAML_LAB_BACKEND: 'tensorflow', TF_CPP_MIN_LOG_LEVEL: '3', TF_ENABLE_ONEDNN_OPTS: '1' });
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    assert.deepEqual([info.level, info.onednn], ['3', '1']);
  });

  test('`maml-lab --version` says tensorflow when tfjs-node loads, and prints nothing on stderr', { skip: NO_TFJS_NODE }, () => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'maml-lab.js'), '--version'], { encoding: 'utf8', env: { ...process.env, MAML_LAB_BACKEND: '', ...unsetDefaults } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /backend tensorflow: @tensorflow\/tfjs-node is installed; libtensorflow \d/);
    assert.equal(r.stderr.split('\n').filter((l) => l !== '').join('\n'), '');
  });

  test('without tfjs-node, asking for it names the command that installs it', { skip: NO_TFJS_NODE === false ? 'tfjs-node loads here' : false }, () => {
    const r = child(REPORT, { MAML_LAB_BACKEND: 'tensorflow' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /MAML_LAB_BACKEND=tensorflow, but that backend could not start: .*`npm run setup:tfjs-node`/);
    const wasm = JSON.parse(child(REPORT, { MAML_LAB_BACKEND: undefined }).stdout);
    assert.equal(wasm.backend, 'wasm');
    assert.match(wasm.reason, /the default; @tensorflow\/tfjs-node (is not installed|did not load).*`npm run setup:tfjs-node`/);
  });
});

describe("TensorFlow's logging and notebook cells", () => {
  const noJupyter = [venvPython, kernelSpecFile].every((f) => fs.existsSync(f)) ? false : 'Jupyter is not set up (`npm run setup`)';

  test("even fully on, it never reaches a cell's outputs: it goes to the kernel process's stderr", { skip: NO_TFJS_NODE || noJupyter, timeout: 180_000 }, () => {
    // What a grader must rely on: cells' outputs are clean whatever TensorFlow logs.
    const script = [
      'import json, sys, nbformat',
      'from nbclient import NotebookClient',
      'nb = nbformat.v4.new_notebook()',
      "nb.metadata['kernelspec'] = {'name': 'tslab', 'display_name': 'TypeScript (tslab)', 'language': 'typescript'}",
      "nb.cells = [nbformat.v4.new_code_cell(\"import { ready } from 'maml-lab';\\nconst info = await ready();\\nconsole.log(info.backend);\"),",
      "            nbformat.v4.new_code_cell(\"import * as tf from '@tensorflow/tfjs';\\ntf.matMul(tf.ones([2, 2]), tf.ones([2, 2])).print();\")]",
      "NotebookClient(nb, kernel_name='tslab', timeout=120, resources={'metadata': {'path': sys.argv[1]}}).execute()",
      'print(json.dumps([cell.outputs for cell in nb.cells]))',
    ].join('\n');
    const env = { ...jupyterEnv(), MAML_LAB_BACKEND: 'tensorflow', TF_CPP_MIN_LOG_LEVEL: '0', TF_ENABLE_ONEDNN_OPTS: '1' };
    const r = spawnSync(venvPython, ['-c', script, path.join(root, 'notebooks')], { encoding: 'utf8', env, timeout: 170_000 });
    assert.equal(r.status, 0, r.stderr);
    const outputs = JSON.parse(r.stdout.trim().split('\n').pop()!) as { output_type: string; name?: string; text?: string }[][];
    assert.deepEqual(outputs.map((cell) => cell.map((o) => [o.output_type, o.name])), [[['stream', 'stdout']], [['stream', 'stdout']]]);
    assert.equal(outputs[0][0].text, 'tensorflow\n');
    // 2.21 says "oneDNN custom operations are on"; the 2.9.1 of an online install, "cpu_feature_guard".
    assert.match(r.stderr, /oneDNN|cpu_feature_guard/, 'TensorFlow did log, to the process stderr');
  });
});

describe('the backends agree', () => {
  const backends = ['cpu', 'wasm', ...(tfjsNode.ok ? ['tensorflow'] : [])];

  before(() => {
    if (tfjsNode.ok) {
      for (const [key, value] of Object.entries(TENSORFLOW_ENV_DEFAULTS)) process.env[key] ??= value;
      require('@tensorflow/tfjs-node');
    }
    tf.env().set('PROD', true); // no tfjs-node advert from the cpu backend
  });

  /** `fn` on each backend in turn. */
  async function onEach<T>(fn: () => T): Promise<Record<string, T>> {
    const out: Record<string, T> = {};
    for (const name of backends) {
      assert.ok(await tf.setBackend(name), `${name} should start`);
      out[name] = fn();
    }
    return out;
  }

  test("tf.tanh, tf.exp and tf.sigmoid lose their second-order terms on every backend (tfjs-core's gradients); ours does not", async () => {
    const at = (f: (u: tf.Tensor) => tf.Tensor, x: number) => tidyValue(() => tf.grad(tf.grad(f))(tf.scalar(x)).dataSync()[0]);
    const x = 0.3;
    const t = Math.tanh(x);
    const exact = 2 * (1 - t * t) + x * (-2 * t * (1 - t * t)); // (x tanh x)'' = 1.67032
    const results = await onEach(() => ({
      tf: at((u) => tf.mul(u, tf.tanh(u)), x),
      ours: at((u) => tf.mul(u, tanh(u)), x),
      exp: at((u) => tf.mul(u, tf.exp(u)), 1.5),
      sigmoid: at((u) => tf.mul(u, tf.sigmoid(u)), 1.5),
    }));
    for (const [name, r] of Object.entries(results)) {
      assert.ok(Math.abs(r.ours - exact) < 1e-6, `${name}: ours ${r.ours}, exact ${exact}`);
      assert.ok(Math.abs(r.tf - 1.83027) < 1e-4, `${name}: tf.tanh gives ${r.tf} (1.83027 on wasm and cpu), exact ${exact}`);
      assert.ok(Math.abs(r.exp - 8.96338) < 1e-4, `${name}: (x eˣ)'' by tf.exp ${r.exp}, exact ${(3.5 * Math.exp(1.5)).toFixed(5)}`);
      assert.ok(Math.abs(r.sigmoid - 0.298293) < 1e-5, `${name}: (x σ(x))'' by tf.sigmoid ${r.sigmoid}, exact 0.156198`);
    }
  });

  test('the same seed gives the same parameters everywhere, and the sinusoid meta-gradients agree to float32 rounding', async () => {
    const model = mlp([1, 40, 40, 1], { activation: 'relu' });
    const tanhModel = mlp([1, 40, 40, 1], { activation: 'tanh' });
    const results = await onEach(() => {
      const params = model.init(0);
      const tasks = sinusoidTasks({ tasks: 25, shots: 10, seed: 0 });
      const grads = (m: typeof model, steps: number) => {
        const r = metaGradient(m, params, tasks, { alpha: 0.01, steps, method: 'maml' });
        const values = r.grads.flatMap((g) => Array.from(g.dataSync()));
        tf.dispose(r.grads);
        return values;
      };
      const out = { params: tidyValue(() => Array.from(flattenParams(params).dataSync())), relu1: grads(model, 1), relu5: grads(model, 5), tanh3: grads(tanhModel, 3) };
      tf.dispose([...params, tasks.support.x, tasks.support.y, tasks.query.x, tasks.query.y]);
      return out;
    });
    const relative = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / Math.max(...b.map(Math.abs));
    for (const name of backends.filter((b) => b !== 'wasm')) {
      assert.deepEqual(results[name].params, results.wasm.params, `${name}: parameters (tfjs draws seeded numbers in JavaScript)`);
      // tf.sin differs in the last bit between backends, so the tasks' targets do too (1.5e-7 relative here).
      for (const k of ['relu1', 'relu5', 'tanh3'] as const) {
        const error = relative(results[name][k], results.wasm[k]);
        assert.ok(error < 1e-6, `${name} vs wasm, ${k}: max relative error ${error.toExponential(2)} (1.4e-7–1.8e-7 measured)`);
      }
    }
  });
});
