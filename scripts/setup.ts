/**
 * `npm run setup`: the package's setup (src/notebook/setup.ts: `.venv` with JupyterLab, nbclient, nbconvert
 * and plotly, the tslab kernelspec and our JupyterLab settings in it), then the git filter that keeps
 * notebook outputs out of commits. Idempotent and quick when everything is already there, so `npm test` and
 * `npm start` call it every time.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setupJupyter } from '../src/notebook/setup';
import { projectRoot } from './jupyter';

// The package's own setup (venv, kernelspec, lab settings) is what `maml-lab setup` runs too; re-exported
// for the tests that check it.
export { LAB_SETTINGS, tslabKernelSpec, type KernelSpec } from '../src/notebook/setup';

/** The git filter .gitattributes names for *.ipynb (scripts/notebook_outputs.py's FILTER_NAME). */
export const OUTPUT_FILTER = 'clear-outputs';

/** What installOutputFilter did: registered it, found it in place, or could not (and why). */
export type FilterOutcome = { status: 'registered' | 'present' } | { status: 'skipped'; reason: string };

function quoteForShell(word: string): string {
  return /^[\w./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Registers the clean filter that makes `git add` store notebooks without outputs, in the repository's
 * own config (.git/config; never the user's global one). Git runs filters from the top of the working
 * tree, so the script is named relative to it, which also keeps every worktree on its own copy. A missing
 * git or a folder that is not a git checkout (a tarball) is not an error: there is nothing to filter.
 * A filter of that name set to something else is left alone, since someone chose it.
 */
export function installOutputFilter(root: string = projectRoot, git = 'git'): FilterOutcome {
  const run = (args: string[]) => spawnSync(git, args, { cwd: root, encoding: 'utf8' });
  const top = run(['rev-parse', '--show-toplevel']);
  if (top.error !== undefined) return { status: 'skipped', reason: `git was not found (${top.error.message})` };
  if (top.status !== 0) return { status: 'skipped', reason: 'this folder is not a git checkout' };
  const script = path.join(fs.realpathSync(root), 'scripts', 'notebook_outputs.py');
  const relative = path.relative(fs.realpathSync(top.stdout.trim()), script).split(path.sep).join('/');
  const command = `python3 ${quoteForShell(relative)} clean %f`;
  const key = `filter.${OUTPUT_FILTER}.clean`;
  const current = run(['config', '--local', '--get', key]);
  if (current.status === 0) {
    const value = current.stdout.trim();
    if (value === command) return { status: 'present' };
    return { status: 'skipped', reason: `git config ${key} is already set to \`${value}\`; left as it is` };
  }
  const set = run(['config', '--local', key, command]);
  if (set.status !== 0) throw new Error(`\`git config --local ${key}\` failed: ${set.stderr.trim()}`);
  return { status: 'registered' };
}

/**
 * The package's setup, then the developers' git filter (a checkout's only extra). Says what it is about to
 * do before a slow step, and returns what it changed, for the closing "ready" line.
 */
export function setup(say: (line: string) => void = console.log): string[] {
  const done = setupJupyter(say);
  const filter = installOutputFilter();
  if (filter.status === 'registered') done.push('registered the git filter that keeps notebook outputs out of commits');
  if (filter.status === 'skipped') {
    say(`setup: note: no git filter keeps notebook outputs out of commits: ${filter.reason}.`);
  }
  return done;
}

if (require.main === module) {
  try {
    const started = Date.now();
    const done = setup();
    const seconds = Math.round((Date.now() - started) / 1000);
    console.log(done.length > 0 ? `setup: ready (${done.join('; ')}; ${seconds} s).` : 'setup: ready.');
  } catch (error) {
    console.error(`setup failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
