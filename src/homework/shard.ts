import { createHash } from 'node:crypto';
import path from 'node:path';

/** One slice of a class: shard `index` (0-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/**
 * Parses `I/N` (I counted from 0, as Kubernetes' JOB_COMPLETION_INDEX and most CI matrices count), with
 * an error that names the flag and the allowed range.
 *
 * @example
 * import { parseShard } from 'maml-lab/homework';
 * parseShard('2/4'); // { index: 2, count: 4 }
 */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (match === null) throw new Error(`--shard must look like I/N (e.g. 0/4), got ${JSON.stringify(text)}`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1) throw new Error(`--shard ${text}: N must be at least 1`);
  if (index >= count) throw new Error(`--shard ${text}: I counts from 0, so it must be below N (0 … ${count - 1})`);
  return { index, count };
}

/**
 * The shard a student belongs to: a hash of the name, so it depends on nothing else (adding a late
 * submission moves nobody, and every machine computes the same split).
 *
 * @example
 * import { shardOf } from 'maml-lab/homework';
 * shardOf('ada', 1); // 0
 */
export function shardOf(student: string, count: number): number {
  const digest = createHash('sha256').update(student, 'utf8').digest();
  return digest.readUInt32BE(0) % count;
}

/**
 * A name per submission file: the file name without `.ipynb` when those differ, else the folder name
 * (`alice/hw1.ipynb`, `bob/hw1.ipynb`), else the path relative to the common folder. Throws when two
 * files would share a name, since the gradebook has one row per student.
 *
 * @example
 * import { studentNames } from 'maml-lab/homework';
 * studentNames(['subs/alice/hw1.ipynb', 'subs/bob/hw1.ipynb']); // ['alice', 'bob']
 */
export function studentNames(files: readonly string[]): string[] {
  const stems = files.map((f) => path.basename(f).replace(/\.ipynb$/i, ''));
  if (new Set(stems).size === stems.length) return stems;
  const folders = files.map((f) => path.basename(path.dirname(path.resolve(f))));
  if (new Set(folders).size === folders.length) return folders;
  const absolute = files.map((f) => path.resolve(f));
  const relative = absolute.map((f) => path.relative(commonFolder(absolute), f).replace(/\.ipynb$/i, ''));
  const seen = new Set<string>();
  for (const [i, name] of relative.entries()) {
    if (seen.has(name)) throw new Error(`submission ${files[i]} is given twice`);
    seen.add(name);
  }
  return relative;
}

function commonFolder(files: readonly string[]): string {
  let common = path.dirname(files[0]);
  // At the root, dirname is a fixed point ('/' + '/' prefixes nothing): stop there, or this never ends.
  const inside = (f: string): boolean => f.startsWith(common.endsWith(path.sep) ? common : common + path.sep);
  while (!files.every(inside) && path.dirname(common) !== common) common = path.dirname(common);
  return common;
}
