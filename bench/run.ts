/**
 * `npm run bench`: times the sinusoid meta-gradient (25 tasks, K = 10, MLP 1-40-40-1, 1761 parameters) on
 * the default tfjs backend: exact 1-step, first-order 1-step and exact 5-step MAML; and, in the same run,
 * interleaved round by round (never concurrently), the PyTorch and JAX peers of bench/peers.py on the very
 * same parameters and tasks. Prints medians, ratios and the targets of the meta-learning issue.
 *
 *   npx tsx bench/run.ts [--rounds R] [--repeat N] [--no-peers] [--json]
 *
 * The peers are installed into .venv on first use (bench/setup_peers.ts); nothing else needs them.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { disposeTasks, engineInfo, metaGradient, mlp, ready, sinusoidTasks, type Method } from '../src/meta';
import { median, quantile } from '../src/derivations';
import { ensurePeers } from './setup_peers';

const CASES: Record<string, { method: Method; steps: number }> = {
  'exact-1': { method: 'maml', steps: 1 },
  'first-order-1': { method: 'fomaml', steps: 1 },
  'exact-5': { method: 'maml', steps: 5 },
};
const PEERS = ['torch-loop', 'torch-func', 'jax'] as const;
const root = path.resolve(__dirname, '..');

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, repeat: { type: 'string', default: '30' }, 'no-peers': { type: 'boolean' }, json: { type: 'boolean' } } });
  const rounds = Number(values.rounds);
  const repeat = Number(values.repeat);
  const log = values.json ? (line: string) => process.stderr.write(`${line}\n`) : (line: string) => console.log(line);
  const info = await ready();

  const model = mlp([1, 40, 40, 1], { activation: 'relu' });
  const params = model.init(0);
  const tasks = sinusoidTasks({ tasks: 25, shots: 10, seed: 0 });
  // The peers read the same numbers, so every implementation computes the same meta-gradient.
  const dir = mkdtempSync(path.join(tmpdir(), 'maml-lab-bench-'));
  const paramsFile = path.join(dir, 'params.json');
  const tasksFile = path.join(dir, 'tasks.json');
  writeFileSync(paramsFile, JSON.stringify(params.map((p) => ({ shape: p.shape, values: Array.from(p.dataSync()) }))));
  writeFileSync(tasksFile, JSON.stringify({ support: { x: tasks.support.x.arraySync(), y: tasks.support.y.arraySync() }, query: { x: tasks.query.x.arraySync(), y: tasks.query.y.arraySync() } }));

  let peersReady = !values['no-peers'];
  if (peersReady) {
    try {
      ensurePeers(log);
    } catch (error) {
      log(`bench: peers unavailable (${(error as Error).message}); timing tfjs alone`);
      peersReady = false;
    }
  }
  const python = path.join(root, '.venv', 'bin', 'python');

  // Numerical cross-check: tfjs exact-1 against torch on the same inputs.
  let agreement: number | undefined;
  if (peersReady) {
    const dump = spawnSync(python, [path.join(root, 'bench', 'peers.py'), '--params', paramsFile, '--tasks', tasksFile, '--dump-grad'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (dump.status === 0) {
      const theirs = (JSON.parse(dump.stdout).grad as { values: number[] }[]).flatMap((g) => g.values);
      const r = metaGradient(model, params, tasks, { alpha: 0.01, steps: 1, method: 'maml' });
      const ours = r.grads.flatMap((g) => Array.from(g.dataSync()));
      tf.dispose(r.grads);
      const scale = Math.max(...theirs.map(Math.abs));
      agreement = Math.max(...ours.map((v, i) => Math.abs(v - theirs[i]))) / scale;
      log(`tfjs vs torch, exact-1 meta-gradient on the same inputs: max relative error ${agreement.toExponential(2)}`);
      // Timing two different computations would be meaningless: disagreement ends the bench.
      if (!(agreement < 1e-4)) throw new Error(`tfjs and torch disagree on the exact-1 meta-gradient (max relative error ${agreement}); not timing them`);
    } else {
      log(`bench: peers.py --dump-grad failed: ${dump.stderr.trim().split('\n').pop()}`);
    }
  }

  const samples: Record<string, Record<string, number[]>> = { [`tfjs-${info.backend}`]: {} };
  const tfjsName = `tfjs-${info.backend}`;
  for (let round = 1; round <= rounds; round++) {
    for (const [name, c] of Object.entries(CASES)) {
      const time = () => {
        const start = performance.now();
        const r = metaGradient(model, params, tasks, { alpha: 0.01, steps: c.steps, method: c.method });
        r.grads[r.grads.length - 1].dataSync();
        const ms = performance.now() - start;
        tf.dispose(r.grads);
        return ms;
      };
      for (let i = 0; i < 3; i++) time();
      const ms = Array.from({ length: repeat }, time);
      (samples[tfjsName][name] ??= []).push(median(ms));
      log(`round ${round} ${tfjsName} ${name}: median ${median(ms).toFixed(2)} ms [p10 ${quantile(ms, 0.1).toFixed(2)}, p90 ${quantile(ms, 0.9).toFixed(2)}]`);
    }
    if (peersReady) {
      const run = spawnSync(python, [path.join(root, 'bench', 'peers.py'), '--repeat', String(repeat), '--params', paramsFile, '--tasks', tasksFile, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
      if (run.status !== 0) throw new Error(`peers.py failed: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      const out = JSON.parse(run.stdout) as { peers: Record<string, Record<string, { medianMs: number; p10Ms: number; p90Ms: number }> | { error: string }> };
      for (const peer of PEERS) {
        const result = out.peers[peer];
        if (!result || 'error' in result) continue;
        for (const name of Object.keys(CASES)) {
          const s = (result as Record<string, { medianMs: number; p10Ms: number; p90Ms: number }>)[name];
          (((samples[peer] ??= {})[name]) ??= []).push(s.medianMs);
          log(`round ${round} ${peer} ${name}: median ${s.medianMs.toFixed(2)} ms [p10 ${s.p10Ms.toFixed(2)}, p90 ${s.p90Ms.toFixed(2)}]`);
        }
      }
    }
  }

  // Median over rounds of each round's median.
  const medians = Object.fromEntries(Object.entries(samples).map(([impl, byCase]) => [impl, Object.fromEntries(Object.entries(byCase).map(([c, xs]) => [c, median(xs)]))]));
  const ours = medians[tfjsName];
  const ratio = (peer: string, c: string) => (medians[peer]?.[c] ? ours[c] / medians[peer][c] : undefined);
  const targets = {
    'exact-1 at least 1.5× faster than torch-loop': medians['torch-loop'] ? medians['torch-loop']['exact-1'] / ours['exact-1'] >= 1.5 : undefined,
    'first-order-1 at most half of exact-1': ours['first-order-1'] <= ours['exact-1'] / 2,
    'exact-5 at most 5× exact-1': ours['exact-5'] <= 5 * ours['exact-1'],
  };
  const report = { backend: info.backend, tfjs: engineInfo().tfjsVersion, rounds, repeat, medians, ratios: Object.fromEntries(Object.keys(CASES).map((c) => [c, Object.fromEntries(PEERS.map((p) => [p, ratio(p, c)]))])), targets, agreement };
  mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(root, 'bench', 'results', 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);

  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    const impls = Object.keys(medians);
    console.log(`\nmedian ms (median over ${rounds} rounds of ${repeat} timed calls), sinusoid: 25 tasks, K = 10, 1761 parameters`);
    console.log(['case'.padEnd(15), ...impls.map((i) => i.padStart(12)), ...PEERS.filter((p) => medians[p]).map((p) => `÷${p}`.padStart(13))].join(''));
    for (const c of Object.keys(CASES)) {
      console.log([c.padEnd(15), ...impls.map((i) => (medians[i][c]?.toFixed(2) ?? '–').padStart(12)), ...PEERS.filter((p) => medians[p]).map((p) => `${ratio(p, c)!.toFixed(2)}×`.padStart(13))].join(''));
    }
    console.log('(÷peer: tfjs time divided by the peer\'s; below 1 means tfjs is faster)\n');
    for (const [t, ok] of Object.entries(targets)) console.log(`${ok === undefined ? '–' : ok ? '✓' : '✗'} ${t}`);
    console.log(`\nwritten to bench/results/latest.json`);
  }
  tf.dispose(params);
  disposeTasks(tasks);
}

main().catch((error) => {
  console.error(`bench: ${(error as Error).message}`);
  process.exitCode = 1;
});
