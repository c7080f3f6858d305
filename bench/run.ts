/**
 * `npm run bench`: times the sinusoid meta-gradient (25 tasks, K = 10, MLP 1-40-40-1, 1761 parameters) on
 * maml-lab's kernel (wasm SIMD, through `metaGradient` with tensors in and out) and on each tfjs backend
 * side by side (wasm, and tfjs-node's `tensorflow` where it loads): exact 1-step,
 * first-order 1-step and exact 5-step MAML; and, in the same run, interleaved round by round (never
 * concurrently), the PyTorch and JAX peers of bench/peers.py on the very same parameters and tasks.
 * Prints medians, ratios and the targets of the meta-learning issue.
 *
 *   npx tsx bench/run.ts [--rounds R] [--repeat N] [--backends wasm,tensorflow,cpu] [--no-kernel] [--no-peers] [--json]
 *
 * Each tfjs backend runs in a worker process of its own (a process's backend is chosen once, by
 * `ready()`), started with MAML_LAB_BACKEND set and the tfjs engine forced; the kernel runs in one more
 * worker (on the default backend, which only carries the tensors in and out); the workers time on
 * request, one at a time. Without
 * --backends every backend that starts is timed except cpu (it is 10-50× slower). The peers are
 * installed into .venv on first use (bench/setup_peers.ts); nothing else needs them. The load average is
 * read at the start and end of the timed rounds; in a busy run (bench/machine.ts's rule) the ratios to the
 * peers are printed marked with the load, and the JSON records the readings and the verdict.
 */
import * as tf from '@tensorflow/tfjs';
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { disposeTasks, metaGradient, mlp, ready, sinusoidTasks, type BackendName, type EngineName, type Method, type TaskBatch } from '../src/meta';
import { median, quantile } from '../src/derivations';
import { ensurePeers } from './setup_peers';
import { describeLoad, formatRatio, loadReading, machineVerdict } from './machine';

const CASES: Record<string, { method: Method; steps: number }> = {
  'exact-1': { method: 'maml', steps: 1 },
  'first-order-1': { method: 'fomaml', steps: 1 },
  'exact-5': { method: 'maml', steps: 5 },
};
const PEERS = ['torch-loop', 'torch-func', 'jax'] as const;
const DEFAULT_BACKENDS: readonly BackendName[] = ['wasm', 'tensorflow'];
const ALL_BACKENDS: readonly BackendName[] = ['wasm', 'tensorflow', 'cpu'];
const root = path.resolve(__dirname, '..');
const MODEL = mlp([1, 40, 40, 1], { activation: 'relu' });

/** The shared inputs, as the peers read them too: parameters [{shape, values}], tasks {support, query}. */
interface Inputs {
  paramsFile: string;
  tasksFile: string;
}

type Summary = { medianMs: number; p10Ms: number; p90Ms: number };
type ToWorker = { type: 'grad' } | { type: 'round'; repeat: number } | { type: 'exit' };
type FromWorker =
  | { type: 'ready'; reason: string }
  | { type: 'unavailable'; reason: string }
  | { type: 'grad'; values: number[] }
  | { type: 'round'; cases: Record<string, Summary> };

// ------------------------------------------------------------------------------------------------------
// Worker: one tfjs backend.
// ------------------------------------------------------------------------------------------------------

function loadInputs(inputs: Inputs): { params: tf.Tensor[]; tasks: TaskBatch } {
  const params = (JSON.parse(readFileSync(inputs.paramsFile, 'utf8')) as { shape: number[]; values: number[] }[]).map((p) => tf.tensor(p.values, p.shape));
  const t = JSON.parse(readFileSync(inputs.tasksFile, 'utf8')) as Record<'support' | 'query', { x: number[][][]; y: number[][][] }>;
  const set = (s: { x: number[][][]; y: number[][][] }) => ({ x: tf.tensor3d(s.x), y: tf.tensor3d(s.y) });
  return { params, tasks: { support: set(t.support), query: set(t.query), count: t.support.x.length } };
}

/** What a worker times: a tfjs backend (engine tfjs), or the kernel ('kernel', on the default backend). */
type Impl = BackendName | 'kernel';

const implName = (impl: Impl) => (impl === 'kernel' ? 'kernel' : `tfjs-${impl}`);

async function worker(impl: Impl, inputs: Inputs): Promise<void> {
  const send = (message: FromWorker) => process.send!(message);
  const engine: EngineName = impl === 'kernel' ? 'kernel' : 'tfjs';
  if (impl !== 'kernel') process.env.MAML_LAB_BACKEND = impl;
  try {
    const info = await ready();
    send({ type: 'ready', reason: info.reason });
  } catch (error) {
    send({ type: 'unavailable', reason: (error as Error).message });
    process.disconnect();
    return;
  }
  const { params, tasks } = loadInputs(inputs);
  const once = (c: { method: Method; steps: number }) => metaGradient(MODEL, params, tasks, { alpha: 0.01, steps: c.steps, method: c.method, engine });
  process.on('message', (message: ToWorker) => {
    if (message.type === 'exit') {
      tf.dispose(params);
      disposeTasks(tasks);
      process.disconnect();
    } else if (message.type === 'grad') {
      const r = once(CASES['exact-1']);
      send({ type: 'grad', values: r.grads.flatMap((g) => Array.from(g.dataSync())) });
      tf.dispose(r.grads);
    } else {
      const cases: Record<string, Summary> = {};
      for (const [name, c] of Object.entries(CASES)) {
        const time = () => {
          const start = performance.now();
          const r = once(c);
          r.grads[r.grads.length - 1].dataSync();
          const ms = performance.now() - start;
          tf.dispose(r.grads);
          return ms;
        };
        for (let i = 0; i < 3; i++) time();
        const ms = Array.from({ length: message.repeat }, time);
        cases[name] = { medianMs: median(ms), p10Ms: quantile(ms, 0.1), p90Ms: quantile(ms, 0.9) };
      }
      send({ type: 'round', cases });
    }
  });
}

// ------------------------------------------------------------------------------------------------------
// Parent: inputs, workers, peers, report.
// ------------------------------------------------------------------------------------------------------

/** A worker process and a way to ask it one thing at a time. */
interface Worker {
  backend: Impl;
  reason: string;
  ask: (message: ToWorker) => Promise<FromWorker>;
  child: ChildProcess;
}

async function startWorker(backend: Impl, inputs: Inputs): Promise<Worker | { backend: Impl; unavailable: string }> {
  const child = fork(__filename, ['--worker', backend, '--params', inputs.paramsFile, '--tasks', inputs.tasksFile], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = () =>
    new Promise<FromWorker>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the ${backend} worker exited (code ${code}) before answering`));
      child.once('exit', onExit);
      child.once('message', (m: FromWorker) => {
        child.off('exit', onExit);
        resolve(m);
      });
    });
  const first = await next();
  if (first.type === 'unavailable') return { backend, unavailable: first.reason };
  if (first.type !== 'ready') throw new Error(`the ${backend} worker sent ${first.type} first`);
  return {
    backend,
    reason: first.reason,
    child,
    ask: (message) => {
      const answer = next();
      child.send(message);
      return answer;
    },
  };
}

/** Parameters and tasks written once, on the cpu backend (plain JavaScript arithmetic), for everyone to read. */
async function writeInputs(): Promise<Inputs> {
  await tf.setBackend('cpu');
  tf.env().set('PROD', true); // no tfjs-node advert from the cpu backend
  const params = MODEL.init(0);
  const tasks = sinusoidTasks({ tasks: 25, shots: 10, seed: 0 });
  const dir = mkdtempSync(path.join(tmpdir(), 'maml-lab-bench-'));
  const inputs = { paramsFile: path.join(dir, 'params.json'), tasksFile: path.join(dir, 'tasks.json') };
  writeFileSync(inputs.paramsFile, JSON.stringify(params.map((p) => ({ shape: p.shape, values: Array.from(p.dataSync()) }))));
  writeFileSync(inputs.tasksFile, JSON.stringify({ support: { x: tasks.support.x.arraySync(), y: tasks.support.y.arraySync() }, query: { x: tasks.query.x.arraySync(), y: tasks.query.y.arraySync() } }));
  tf.dispose(params);
  disposeTasks(tasks);
  return inputs;
}

/** Max |a − b| over max |b|: the bench's measure of two meta-gradients' agreement. */
function relativeError(a: number[], b: number[]): number {
  const scale = Math.max(...b.map(Math.abs));
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / scale;
}

function parseBackends(raw: string | undefined): { backends: readonly BackendName[]; explicit: boolean } {
  if (raw === undefined) return { backends: DEFAULT_BACKENDS, explicit: false };
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(ALL_BACKENDS as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) throw new Error(`--backends takes a comma-separated list of ${ALL_BACKENDS.join(', ')}; got ${JSON.stringify(raw)}`);
  return { backends: names as BackendName[], explicit: true };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      repeat: { type: 'string', default: '30' },
      backends: { type: 'string' },
      'no-peers': { type: 'boolean' },
      'no-kernel': { type: 'boolean' },
      json: { type: 'boolean' },
      worker: { type: 'string' },
      params: { type: 'string' },
      tasks: { type: 'string' },
    },
  });
  if (values.worker !== undefined) return worker(values.worker as Impl, { paramsFile: values.params!, tasksFile: values.tasks! });
  const rounds = Number(values.rounds);
  const repeat = Number(values.repeat);
  const { backends, explicit } = parseBackends(values.backends);
  const log = values.json ? (line: string) => process.stderr.write(`${line}\n`) : (line: string) => console.log(line);

  const inputs = await writeInputs();
  const workers: Worker[] = [];
  const unavailable: Record<string, string> = {};
  for (const backend of [...(values['no-kernel'] ? [] : ['kernel' as const]), ...backends]) {
    const w = await startWorker(backend, inputs);
    if ('unavailable' in w) {
      unavailable[backend] = w.unavailable;
      log(`bench: ${implName(backend)} unavailable: ${w.unavailable}`);
    } else {
      workers.push(w);
      log(`bench: ${implName(backend)}: ${w.reason}`);
    }
  }
  if (workers.length === 0) throw new Error('no tfjs backend could start');
  if (explicit && Object.keys(unavailable).length > 0) throw new Error(`--backends asked for ${Object.keys(unavailable).join(', ')}, which could not start`);

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

  // Numerical cross-checks on the same inputs: every backend's exact-1 meta-gradient against the first
  // backend's, and against torch. Timing different computations would be meaningless: disagreement ends the bench.
  const agreement: Record<string, number> = {};
  const grads: Record<string, number[]> = {};
  for (const w of workers) grads[w.backend] = ((await w.ask({ type: 'grad' })) as { values: number[] }).values;
  for (const w of workers.slice(1)) agreement[`${implName(w.backend)} vs ${implName(workers[0].backend)}`] = relativeError(grads[w.backend], grads[workers[0].backend]);
  if (peersReady) {
    const dump = spawnSync(python, [path.join(root, 'bench', 'peers.py'), '--params', inputs.paramsFile, '--tasks', inputs.tasksFile, '--dump-grad'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (dump.status === 0) {
      const theirs = (JSON.parse(dump.stdout).grad as { values: number[] }[]).flatMap((g) => g.values);
      for (const w of workers) agreement[`${implName(w.backend)} vs torch`] = relativeError(grads[w.backend], theirs);
    } else {
      log(`bench: peers.py --dump-grad failed: ${dump.stderr.trim().split('\n').pop()}`);
    }
  }
  for (const [pair, error] of Object.entries(agreement)) {
    log(`${pair}, exact-1 meta-gradient on the same inputs: max relative error ${error.toExponential(2)}`);
    if (!(error < 1e-4)) throw new Error(`${pair} disagree on the exact-1 meta-gradient (max relative error ${error}); not timing them`);
  }

  const samples: Record<string, Record<string, number[]>> = {};
  const record = (impl: string, name: string, s: Summary, round: number) => {
    ((samples[impl] ??= {})[name] ??= []).push(s.medianMs);
    log(`round ${round} ${impl} ${name}: median ${s.medianMs.toFixed(2)} ms [p10 ${s.p10Ms.toFixed(2)}, p90 ${s.p90Ms.toFixed(2)}]`);
  };
  // The load is read around the timed part only (not the build, the inputs or the agreement checks).
  const loadStart = loadReading(os.loadavg());
  log(`load average (1, 5 min) at the start of the timed part: ${loadStart.oneMinute.toFixed(2)}, ${loadStart.fiveMinutes.toFixed(2)} on ${os.cpus().length} CPUs`);
  for (let round = 1; round <= rounds; round++) {
    for (const w of workers) {
      const answer = (await w.ask({ type: 'round', repeat })) as { cases: Record<string, Summary> };
      for (const [name, s] of Object.entries(answer.cases)) record(implName(w.backend), name, s, round);
    }
    if (peersReady) {
      const run = spawnSync(python, [path.join(root, 'bench', 'peers.py'), '--repeat', String(repeat), '--params', inputs.paramsFile, '--tasks', inputs.tasksFile, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
      if (run.status !== 0) throw new Error(`peers.py failed: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      const out = JSON.parse(run.stdout) as { peers: Record<string, Record<string, Summary> | { error: string }> };
      for (const peer of PEERS) {
        const result = out.peers[peer];
        if (!result || 'error' in result) continue;
        for (const name of Object.keys(CASES)) record(peer, name, (result as Record<string, Summary>)[name], round);
      }
    }
  }
  const loadEnd = loadReading(os.loadavg());
  const verdict = machineVerdict([loadStart, loadEnd], os.cpus().length);
  for (const w of workers) w.child.send({ type: 'exit' } satisfies ToWorker);

  // Median over rounds of each round's median.
  const medians = Object.fromEntries(Object.entries(samples).map(([impl, byCase]) => [impl, Object.fromEntries(Object.entries(byCase).map(([c, xs]) => [c, median(xs)]))]));
  const tfjsImpls = workers.map((w) => implName(w.backend));
  const peersRun = PEERS.filter((p) => medians[p]);
  const ratio = (impl: string, peer: string, c: string) => (medians[peer]?.[c] ? medians[impl][c] / medians[peer][c] : undefined);
  const targets = Object.fromEntries(
    tfjsImpls.map((impl) => {
      const ours = medians[impl];
      const jax = medians.jax;
      if (impl === 'kernel') {
        return [impl, Object.fromEntries(Object.keys(CASES).map((c) => [`${c} within 2× of jax`, jax?.[c] ? ours[c] <= 2 * jax[c] : undefined]))];
      }
      return [impl, {
        'exact-1 at least 1.5× faster than torch-loop': medians['torch-loop'] ? medians['torch-loop']['exact-1'] / ours['exact-1'] >= 1.5 : undefined,
        'first-order-1 at most half of exact-1': ours['first-order-1'] <= ours['exact-1'] / 2,
        'exact-5 at most 5× exact-1': ours['exact-5'] <= 5 * ours['exact-1'],
      }];
    }),
  );
  const report = {
    backends: Object.fromEntries(workers.map((w) => [implName(w.backend), w.reason])),
    // The ratios are kept in a busy run too (marked in the printout); `load.busy` says whether to trust them.
    load: { start: loadStart, end: loadEnd, ...verdict },
    unavailable,
    tfjs: tf.version.tfjs,
    rounds,
    repeat,
    medians,
    ratios: Object.fromEntries(tfjsImpls.map((impl) => [impl, Object.fromEntries(Object.keys(CASES).map((c) => [c, Object.fromEntries(PEERS.map((p) => [p, ratio(impl, p, c)]))]))])),
    targets,
    agreement,
  };
  mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(root, 'bench', 'results', 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);

  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    const impls = Object.keys(medians);
    const width = Math.max(12, ...impls.map((i) => i.length + 2));
    console.log(`\nmedian ms (median over ${rounds} rounds of ${repeat} timed calls), sinusoid: 25 tasks, K = 10, 1761 parameters`);
    console.log(['case'.padEnd(15), ...impls.map((i) => i.padStart(width))].join(''));
    for (const c of Object.keys(CASES)) console.log([c.padEnd(15), ...impls.map((i) => (medians[i][c]?.toFixed(2) ?? '–').padStart(width))].join(''));
    if (peersRun.length > 0) {
      console.log(`\nmaml-lab's time ÷ the peer's (below 1 means maml-lab is faster)${verdict.busy ? `; the machine was busy (1-min load ${verdict.peakOneMinute.toFixed(2)} > ${verdict.threshold}): the ratios measure the wait for a core too` : ''}`);
      const cell = verdict.busy ? 30 : 13;
      console.log(['case'.padEnd(15), 'backend'.padEnd(width), ...peersRun.map((p) => `÷${p}`.padStart(cell))].join(''));
      for (const c of Object.keys(CASES)) {
        for (const impl of tfjsImpls) console.log([c.padEnd(15), impl.padEnd(width), ...peersRun.map((p) => formatRatio(ratio(impl, p, c)!, verdict).padStart(cell))].join(''));
      }
    }
    if (tfjsImpls.length > 1) {
      const [a, b] = tfjsImpls;
      console.log(`\n${b} ÷ ${a}: ${Object.keys(CASES).map((c) => `${c} ${(medians[b][c] / medians[a][c]).toFixed(2)}×`).join(', ')}`);
    }
    console.log('');
    for (const impl of tfjsImpls) {
      for (const [t, ok] of Object.entries(targets[impl])) console.log(`${ok === undefined ? '–' : ok ? '✓' : '✗'} ${impl}: ${t}${ok !== undefined && verdict.busy && /torch|jax/.test(t) ? ` (busy: load ${verdict.peakOneMinute.toFixed(2)})` : ''}`);
    }
    for (const [backend, reason] of Object.entries(unavailable)) console.log(`\n${implName(backend as Impl)} was not timed: ${reason}`);
    console.log(`\n${describeLoad(loadStart, loadEnd, verdict)}`);
    console.log(`\nwritten to bench/results/latest.json`);
  }
}

main().catch((error) => {
  console.error(`bench: ${(error as Error).message}`);
  process.exitCode = 1;
});
