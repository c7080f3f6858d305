/*
 * A planted break in a stored run rather than in code: one seed's scores of two methods written under each
 * other's names, as a training script that stored its methods in the wrong order would. Computed from the
 * committed file, so the break stays exact when the run is regenerated.
 */
import fs from 'node:fs';
import path from 'node:path';

/**
 * The `file`, `find` and `replace` of a break that swaps methods `a` and `b` (a listed before b in the
 * file) in seed `seed` of results/`name`.
 */
export function swappedScores(name: string, seed: number, a: string, b: string): { file: string; find: string; replace: string } {
  const text = fs.readFileSync(path.join(__dirname, '..', '..', 'results', name), 'utf8');
  const from = text.indexOf(`"${a}": {`, text.indexOf(`"seed": ${seed},`));
  const last = text.indexOf(`"${b}": {`, from);
  const end = '"interrupted": false\n        }';
  const to = text.indexOf(end, last) + end.length;
  if (from < 0 || last < 0 || to < end.length) throw new Error(`results/${name}: no ${a} and ${b} in seed ${seed}`);
  const find = text.slice(from, to);
  const replace = find.replace(`"${a}": {`, '\u0000').replace(`"${b}": {`, `"${a}": {`).replace('\u0000', `"${b}": {`);
  return { file: `results/${name}`, find, replace };
}
