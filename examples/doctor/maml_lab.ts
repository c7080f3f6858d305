/*
 * Write `maml-lab doctor`'s input from this package: `doctorInputOf` turns a model, its parameters, a task
 * batch and a meta-gradient into the doctor's JSON.
 *
 *     npx tsx examples/doctor/maml_lab.ts OUT_DIR
 *
 * writes OUT_DIR/maml_lab-{maml,fomaml}-{relu,tanh}-k{1,2}.json, one per method of `metaGradient`; the doctor
 * names each one after its method. The package computes in float32 (the kernel or tfjs), so the residual
 * against the named variant is float32 rounding, ~1e-7, inside the doctor's 1e-4.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { doctorInputOf } from 'maml-lab/derivations';
import { disposeTasks, metaGradient, mlp, ready, sinusoidTasks } from 'maml-lab/meta';

async function main(out: string): Promise<void> {
  await ready(); // the engine (the wasm kernel or tfjs) is chosen once, before the first computation
  const [sizes, alpha] = [[1, 8, 8, 1], 0.05];
  const tasks = sinusoidTasks({ tasks: 3, shots: 5, seed: 1 });
  for (const activation of ['relu', 'tanh'] as const) {
    const model = mlp(sizes, { activation });
    const params = model.init(0);
    for (const steps of [1, 2]) {
      for (const method of ['maml', 'fomaml'] as const) {
        const { grads } = metaGradient(model, params, tasks, { alpha, steps, method });
        // layout 'torch' writes weights [out, in], as a PyTorch user would compare them; the default is the package's [in, out]
        const input = doctorInputOf({ model, params, tasks, alpha, steps, gradient: grads, layout: 'torch' });
        writeFileSync(join(out, `maml_lab-${method}-${activation}-k${steps}.json`), JSON.stringify(input));
        grads.forEach((g) => g.dispose());
      }
    }
    params.forEach((p) => p.dispose());
  }
  disposeTasks(tasks);
}

main(process.argv[2] ?? '.').catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
