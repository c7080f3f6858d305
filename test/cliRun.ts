/*
 * Running the built command line as a user would, for the CLI tests (npm test builds dist/ first). Not a
 * test file itself.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');

/**
 * `maml-lab ARGS` with bin/maml-lab.js and this node; its exit code and output. MAML_LAB_BACKEND is cleared
 * so the CLI picks its backend itself, unless `env` sets it.
 */
export function runCli(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'maml-lab.js'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, MAML_LAB_BACKEND: '', ...env },
    timeout: 300_000,
    // verify --json carries every route's values, hessian --json a whole matrix
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A file in a fresh temporary folder holding `content` (as JSON unless it is already text); its path. */
export function jsonFile(content: unknown, name = 'spec.json'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'maml-lab-')), name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}
