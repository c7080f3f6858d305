import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

describe('the package is importable by its public name', () => {
  test('at run time: the root and every subpath resolve from the project (as a notebook does)', () => {
    const script = `
      const root = require('maml-lab');
      const subpaths = ['derivations', 'meta', 'plots', 'notebook', 'homework'].filter((s) => { try { require.resolve('maml-lab/' + s); return true; } catch { return false; } });
      console.log(JSON.stringify({ root: ['show', 'mamlDerivation', 'mlp', 'ready'].filter((k) => typeof root[k] === 'function'), subpaths }));`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: join(root, 'notebooks'), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.root, ['show', 'mamlDerivation', 'mlp', 'ready']);
    assert.deepEqual(out.subpaths, ['derivations', 'meta', 'plots', 'notebook', 'homework']);
  });

  test('at type-check time with Node10 resolution (what tslab uses): root and subpaths type-check', () => {
    const dir = mkdtempSync(join(root, 'notebooks', '.typecheck-'));
    const file = join(dir, 'probe.ts');
    writeFileSync(file, [
      "import { show } from 'maml-lab';",
      "import { mamlDerivation } from 'maml-lab/derivations';",
      "import { mlp } from 'maml-lab/meta';",
      "import { banner } from 'maml-lab/notebook';",
      "import { question } from 'maml-lab/homework';",
      'const steps: number = mamlDerivation({ steps: 1 }).steps.length;',
      "void show; void mlp; void banner; void question; void steps;",
    ].join('\n'));
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--moduleResolution', 'node10', '--module', 'commonjs', '--skipLibCheck', '--types', 'node', file], { encoding: 'utf8' });
    spawnSync('rm', ['-rf', dir]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});
