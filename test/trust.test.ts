/*
 * src/notebook/trust.ts: which notebooks startLab signs. Its walk must survive a shared root such as /tmp,
 * where other processes remove folders while it reads them (a doctest of startLab on os.tmpdir() failed with
 * ENOENT while the rest of the suite ran beside it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { outputFreeNotebooks } from '../src/notebook/trust';

test('a folder that is gone by the time it is read is skipped, and the others are still searched', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-trust-'));
  try {
    fs.mkdirSync(path.join(dir, 'kept'));
    fs.writeFileSync(path.join(dir, 'kept', 'clean.ipynb'), JSON.stringify({ cells: [{ cell_type: 'code', outputs: [] }] }));
    // What a walk meets when a folder is removed between its parent's listing and its own: no such folder.
    assert.deepEqual(outputFreeNotebooks(path.join(dir, 'removed-meanwhile')), []);
    assert.deepEqual(outputFreeNotebooks(dir).map((f) => path.relative(dir, f)), [path.join('kept', 'clean.ipynb')]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
