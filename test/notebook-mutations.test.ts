/*
 * The notebooks' claims are checks that fail when the library breaks them. Each case below plants one
 * deliberate bug in a copy of the built package (dist/), runs the notebook that should catch it through the
 * real tslab kernel against that copy, and expects the run to fail on a claim. The unbroken notebooks run
 * clean at the end of `npm test`, which is the control.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { dist, MUTATIONS, mutantRoot, removeMutantRoots, runNotebook, venvPython } from './mutants';

after(removeMutantRoots);

// Two at a time: each run is one kernel, mostly on one core, and CI's machine has two.
describe('deliberate breaks of the library are caught by the notebooks’ claims', { concurrency: 2 }, () => {
  const ready = fs.existsSync(path.join(dist, 'index.js')) && fs.existsSync(venvPython);
  // The breaks test the notebooks' claims, not the backend: they run in CI's wasm pass, and the tensorflow
  // pass, which runs every notebook again, leaves them out to keep CI's two passes within their hour.
  const skip = !ready
    ? 'needs `npm run build` and `npm run setup` (npm test does both)'
    : process.env.MAML_LAB_BACKEND === 'tensorflow'
      ? 'the planted breaks run in the wasm pass (MAML_LAB_BACKEND=wasm)'
      : false;

  test('control: the same copied layout with the library unbroken passes, so a failure below is the break', { skip, timeout: 600_000 }, async () => {
    const { status, output } = await runNotebook(mutantRoot({ notebook: '06-reptile.ipynb' }), '06-reptile.ipynb');
    assert.equal(status, 0, `the unbroken copy failed:\n${output.slice(-3000)}`);
  });

  for (const m of MUTATIONS) {
    test(`${m.name} → ${m.notebook} fails`, { skip, timeout: 600_000 }, async () => {
      const { status, output } = await runNotebook(mutantRoot(m), m.notebook, m.engine);
      assert.notEqual(status, 0, `the notebook passed with the library broken (${m.name}):\n${output.slice(-3000)}`);
      assert.match(output, m.caughtBy, `the notebook failed, but not as expected (${m.caughtBy}):\n${output.slice(-3000)}`);
    });
  }
});
