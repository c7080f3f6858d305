/**
 * Times the kernel of two builds of maml-lab against each other in one process, round by round, on the
 * same inputs: a change to the kernel is measured beside the code it replaced, on the same machine at the
 * same moment (the load of a shared machine moves both alike).
 *
 *   npx tsx bench/kernel-ab.ts --before DIR [--after DIR] [--rounds R] [--repeat N] [--json]
 *
 * DIR is a built checkout (its dist/kernel is loaded); --after defaults to this checkout. Cases: the
 * sinusoid meta-gradient (25 tasks, K = 10, MLP 1-40-40-1) by each method, through `kernelMetaGradient`
 * on flat arrays (no tfjs in the timed calls). Each round times every case on both builds in turn,
 * alternating which goes first. The table gives each build's median over rounds of the round medians, and
 * the median over rounds of each round's ratio after / before: a paired figure, which a burst of load in
 * one round (it slows both builds of that round) moves far less than the two medians.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median } from '../src/derivations';
import { disposeTasks, mlp, ready, sinusoidTasks, flattenParams } from '../src/meta';

type KernelModule = typeof import('../src/kernel');
const CASES = {
  'exact-1': { method: 'maml', steps: 1 },
  'first-order-1': { method: 'fomaml', steps: 1 },
  'exact-5': { method: 'maml', steps: 5 },
  'reptile-5': { method: 'reptile', steps: 5 },
  'imaml-5': { method: 'imaml', steps: 5, lambda: 2 },
} as const;

function load(dir: string): KernelModule {
  const entry = path.join(path.resolve(dir), 'dist', 'kernel', 'index.js');
  if (!existsSync(entry)) throw new Error(`${dir} has no dist/kernel/index.js: run \`npm run build\` there first`);
  return require(entry) as KernelModule;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { before: { type: 'string' }, after: { type: 'string', default: path.resolve(__dirname, '..') }, rounds: { type: 'string', default: '5' }, repeat: { type: 'string', default: '200' }, json: { type: 'boolean' } } });
  if (values.before === undefined) throw new Error('--before DIR is required: a built checkout of the code to compare with');
  const rounds = Number(values.rounds);
  const repeat = Number(values.repeat);
  await ready();
  const model = mlp([1, 40, 40, 1], { activation: 'relu' });
  const params = model.init(0);
  const theta = Float64Array.from(flattenParams(params).dataSync());
  const batch = sinusoidTasks({ tasks: 25, shots: 10, seed: 0 });
  const points = (p: { x: { dataSync(): ArrayLike<number> }; y: { dataSync(): ArrayLike<number> } }) => ({ x: Float32Array.from(p.x.dataSync()), y: Float32Array.from(p.y.dataSync()), tasks: 25, points: 10 });
  const tasks = { support: points(batch.support), query: points(batch.query) };
  disposeTasks(batch);
  params.forEach((t) => t.dispose());
  const builds = { before: load(values.before), after: load(values.after!) };
  const maths = Object.fromEntries(Object.entries(builds).map(([name, k]) => [name, k.wasmMath([1, 40, 40, 1], 'relu')]));
  const rows: Record<string, Record<'before' | 'after', number[]>> = {};
  const time = (name: 'before' | 'after', options: object): number => {
    const k = builds[name];
    const math = maths[name];
    for (let i = 0; i < 10; i++) k.kernelMetaGradient(math, theta, tasks, options as never);
    const ms: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const t0 = process.hrtime.bigint();
      k.kernelMetaGradient(math, theta, tasks, options as never);
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return median(ms);
  };
  const load0 = os.loadavg();
  for (let r = 0; r < rounds; r++) {
    for (const [name, options] of Object.entries(CASES)) {
      rows[name] ??= { before: [], after: [] };
      const order: ('before' | 'after')[] = r % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
      for (const build of order) rows[name][build].push(time(build, { alpha: 0.01, ...options }));
    }
  }
  const load1 = os.loadavg();
  const table = Object.entries(rows).map(([name, r]) => ({ case: name, beforeMs: median(r.before), afterMs: median(r.after), ratio: median(r.after.map((a, i) => a / r.before[i])), rounds: r }));
  if (values.json) {
    console.log(JSON.stringify({ before: path.resolve(values.before), after: path.resolve(values.after!), repeat, loadAverage: { start: load0, end: load1 }, cases: table }, null, 2));
    return;
  }
  console.log(`kernel A/B: before ${path.resolve(values.before)}, after ${path.resolve(values.after!)}; ${rounds} rounds of ${repeat} calls; load average ${load0.map((x) => x.toFixed(2)).join(' ')} → ${load1.map((x) => x.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs`);
  console.log('case            before ms   after ms   after/before (median of the per-round ratios)   per-round ratios');
  for (const row of table) {
    const perRound = row.rounds.after.map((a, i) => (a / row.rounds.before[i]).toFixed(3)).join(' ');
    console.log(`${row.case.padEnd(15)} ${row.beforeMs.toFixed(3).padStart(9)} ${row.afterMs.toFixed(3).padStart(10)} ${row.ratio.toFixed(3).padStart(14)}${' '.repeat(34)}${perRound}`);
  }
}

main().catch((error) => {
  console.error((error as Error).message);
  process.exitCode = 1;
});
