/**
 * `npx tsx bench/hessian.ts [--repeat N] [--no-peers] [--json]`: times the full Hessian of one sinusoid
 * task's support loss (K = 10 points, MSE) for the 1-40-40-1 ReLU MLP (1761 parameters) on maml-lab's
 * kernel (R-operator columns in wasm SIMD: `lossHessian`'s default for an MLP) and on the default tfjs
 * backend (`engine: 'tfjs'`: batched Hessian-vector products by reverse-over-reverse); beside each the Gauss–Newton/residual split,
 * 50 Lanczos iterations and the float64 reference; and, when the Python peers are installed (see
 * bench/setup_peers.ts, as for `npm run bench`), `torch.func.hessian` and `jax.hessian` on the very same
 * inputs. Checks every Hessian against the float64 reference before it reports a time. Kept apart from
 * bench/run.ts (the meta-gradient cases): a different computation with its own peers. Like bench/run.ts it
 * reads the load average around the timed part and marks the ratios of a busy run (bench/machine.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { disposeTasks, gaussNewtonPart, hessianOperator, hessianSplit, lanczos, lossHessian, mlp, ready, sinusoidTasks } from '../src/meta';
import { exact, instancesFromBatch, median, quantile, relativeError } from '../src/derivations';
import { ensurePeers } from './setup_peers';
import { describeLoad, formatRatio, loadReading, machineVerdict } from './machine';

const root = path.resolve(__dirname, '..');

/** Median and spread of `repeat` timed calls after `warmup` untimed ones. */
function timeCalls(fn: () => unknown, repeat: number, warmup = 2): { medianMs: number; p10Ms: number; p90Ms: number; n: number } {
  for (let i = 0; i < warmup; i++) fn();
  const ms = Array.from({ length: repeat }, () => {
    const start = performance.now();
    fn();
    return performance.now() - start;
  });
  return { medianMs: median(ms), p10Ms: quantile(ms, 0.1), p90Ms: quantile(ms, 0.9), n: repeat };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { repeat: { type: 'string', default: '10' }, 'no-peers': { type: 'boolean' }, json: { type: 'boolean' } } });
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat must be an integer ≥ 1, got ${values.repeat}`);
  const log = values.json ? (line: string) => process.stderr.write(`${line}\n`) : (line: string) => console.log(line);
  const info = await ready();

  const model = mlp([1, 40, 40, 1], { activation: 'relu' });
  const params = model.init(0);
  const tasks = sinusoidTasks({ tasks: 1, shots: 10, seed: 0 });
  const points = tasks.support;
  const [inst] = instancesFromBatch(tasks, { model, theta: params, alpha: 0.01 });

  // Every route must compute the same matrix before its time means anything.
  const reference = exact.hessian(inst, inst.theta).flat();
  const agreement: Record<string, number> = {};
  for (const engine of ['kernel', 'tfjs'] as const) {
    const hessian = lossHessian(model, params, points, { engine });
    const split = hessianSplit(model, params, points, { engine });
    agreement[`${engine} lossHessian vs float64`] = relativeError(hessian.values, reference);
    agreement[`${engine} hessianSplit GN + R vs float64 H`] = relativeError(split.gaussNewton.values.map((g, i) => g + split.residual.values[i]), reference);
  }
  for (const [what, error] of Object.entries(agreement)) {
    log(`${what}: relative error ${error.toExponential(2)}`);
    if (!(error < 1e-4)) throw new Error(`${what} disagree (relative error ${error}); not timing them`);
  }

  // The load is read around the timed part: our routes, then the peers.
  const loadStart = loadReading(os.loadavg());
  log(`load average (1, 5 min) at the start of the timed part: ${loadStart.oneMinute.toFixed(2)}, ${loadStart.fiveMinutes.toFixed(2)} on ${os.cpus().length} CPUs`);
  const timings: Record<string, ReturnType<typeof timeCalls>> = {};
  for (const engine of ['kernel', 'tfjs'] as const) {
    const name = engine === 'kernel' ? 'kernel' : `tfjs-${info.backend}`;
    const operator = hessianOperator(model, params, points, { engine });
    timings[`${name} lossHessian (H)`] = timeCalls(() => lossHessian(model, params, points, { engine }), repeat);
    timings[`${name} hessianSplit (H, GN, R)`] = timeCalls(() => hessianSplit(model, params, points, { engine }), repeat);
    timings[`${name} gaussNewtonPart`] = timeCalls(() => gaussNewtonPart(model, params, points, { engine }), repeat);
    timings[`${name} lanczos, 50 iterations`] = timeCalls(() => lanczos(operator, { iterations: 50 }), repeat);
  }
  timings['float64 exact.hessian (R-operator)'] = timeCalls(() => exact.hessian(inst, inst.theta), Math.min(repeat, 3), 1);
  for (const [name, t] of Object.entries(timings)) log(`${name}: median ${t.medianMs.toFixed(1)} ms [p10 ${t.p10Ms.toFixed(1)}, p90 ${t.p90Ms.toFixed(1)}]`);

  let peers: Record<string, { medianMs?: number; relErrVsMamlLab?: number; error?: string }> | undefined;
  if (!values['no-peers']) {
    try {
      ensurePeers(log);
      const dir = mkdtempSync(path.join(tmpdir(), 'maml-lab-hessian-'));
      const files = { params: path.join(dir, 'params.json'), tasks: path.join(dir, 'task.json'), reference: path.join(dir, 'hessian.f64') };
      writeFileSync(files.params, JSON.stringify(params.map((p) => ({ shape: p.shape, values: Array.from(p.dataSync()) }))));
      writeFileSync(files.tasks, JSON.stringify({ support: { x: tasks.support.x.arraySync(), y: tasks.support.y.arraySync() }, query: { x: tasks.query.x.arraySync(), y: tasks.query.y.arraySync() } }));
      writeFileSync(files.reference, Buffer.from(Float64Array.from(reference).buffer));
      const run = spawnSync(path.join(root, '.venv', 'bin', 'python'), [path.join(root, 'bench', 'hessian_peers.py'), '--params', files.params, '--tasks', files.tasks, '--reference', files.reference, '--repeat', String(repeat), '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
      if (run.status !== 0) throw new Error(`hessian_peers.py failed: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      peers = (JSON.parse(run.stdout) as { peers: typeof peers }).peers;
      for (const [name, r] of Object.entries(peers ?? {})) {
        log(r.error ? `${name}: ${r.error}` : `${name}: median ${r.medianMs!.toFixed(1)} ms, relative error vs float64 ${r.relErrVsMamlLab!.toExponential(2)}`);
        if (r.relErrVsMamlLab !== undefined && !(r.relErrVsMamlLab < 1e-4)) throw new Error(`${name} disagrees with the float64 Hessian (relative error ${r.relErrVsMamlLab})`);
      }
    } catch (error) {
      log(`bench: peers unavailable (${(error as Error).message}); timing tfjs alone`);
    }
  }

  const loadEnd = loadReading(os.loadavg());
  const verdict = machineVerdict([loadStart, loadEnd], os.cpus().length);
  const ours = timings['kernel lossHessian (H)'].medianMs;
  const tfjs = timings[`tfjs-${info.backend} lossHessian (H)`].medianMs;
  const torchFunc = peers?.['torch.func.hessian']?.medianMs;
  const jax = Object.entries(peers ?? {}).find(([name]) => name.startsWith('jax'))?.[1]?.medianMs;
  const report = {
    case: 'the full Hessian of one sinusoid task\'s support MSE (K = 10), MLP 1-40-40-1 ReLU, 1761 parameters',
    backend: info.backend,
    repeat,
    agreement,
    timings,
    peers,
    // The ratios are kept in a busy run too (marked in the printout); `load.busy` says whether to trust them.
    load: { start: loadStart, end: loadEnd, ...verdict },
    targets: {
      'kernel within 3× of torch.func.hessian': torchFunc === undefined ? undefined : ours <= 3 * torchFunc,
      'kernel within 2× of jax.hessian': jax === undefined ? undefined : ours <= 2 * jax,
    },
    ratios: {
      'kernel ÷ torch.func': torchFunc === undefined ? undefined : ours / torchFunc,
      'kernel ÷ jax': jax === undefined ? undefined : ours / jax,
      'tfjs ÷ torch.func': torchFunc === undefined ? undefined : tfjs / torchFunc,
      'tfjs ÷ jax': jax === undefined ? undefined : tfjs / jax,
    },
  };
  mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(root, 'bench', 'results', 'hessian.json'), `${JSON.stringify(report, null, 2)}\n`);
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else {
    const vs = (peer: string, t: number | undefined) => (t === undefined ? '' : `, ${peer} ${t.toFixed(1)} ms (kernel ${formatRatio(ours / t, verdict)}, tfjs ${formatRatio(tfjs / t, verdict)})`);
    console.log(`\nfull Hessian, 1761 × 1761: kernel median ${ours.toFixed(1)} ms, tfjs-${info.backend} ${tfjs.toFixed(0)} ms${vs('torch.func.hessian', torchFunc)}${vs('jax.hessian', jax)}`);
    console.log(describeLoad(loadStart, loadEnd, verdict));
    console.log('written to bench/results/hessian.json');
  }
  tf.dispose(params);
  disposeTasks(tasks);
}

main().catch((error) => {
  console.error(`bench: ${(error as Error).message}`);
  process.exitCode = 1;
});
