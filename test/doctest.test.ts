/*
 * Doctest: every `@example` in a doc comment under src/ is executed, so the examples cannot rot. An example
 * must be self-contained: it imports what it uses (from 'maml-lab' or a subpath, or any dependency) and
 * defines every name it mentions. Imports of the package resolve to src/, so the examples test the code as
 * it stands, not a stale build.
 *
 * A trailing comment that is nothing but a value claims the value of the expression statement it ends, and
 * is checked: `// 5`, `// [0.8, 1.6]`, `// [[1, 0], [0, 1]]`, `// true`, `// "3.2e-7"`. A number must
 * match to float32 precision (relative 1e-6); with `≈` (`// ≈ 0.5332`, `// ≈ [6]`) it must match to the
 * digits shown (half a unit in the last place). A tensor is compared by its `arraySync()`. Any other
 * comment (prose, `// ok`, `// e.g. 'wasm'`, `// shape [1, 1]`, a string with `…` in it) is not a claim and
 * is not checked.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import ts from 'typescript';
import { ready } from '../src/meta';

const root = path.resolve(__dirname, '..');
const src = path.join(root, 'src');

/** An example with where it stands: file, line and the export it documents. */
interface Example {
  file: string;
  line: number;
  name: string;
  code: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/**
 * The examples of one file: the lines after `@example` up to the next tag or the end of the comment, with
 * the leading ` * ` removed; named by the declaration the comment stands on.
 */
function examplesOf(file: string): Example[] {
  const text = readFileSync(file, 'utf8');
  const out: Example[] = [];
  for (const match of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const body = match[1];
    const at = body.indexOf('@example');
    if (at < 0) continue;
    const lines = body.slice(at + '@example'.length).split('\n').slice(1);
    const code: string[] = [];
    for (const raw of lines) {
      const line = raw.replace(/^\s*\* ?/, '');
      if (/^@\w+/.test(line)) break;
      code.push(line);
    }
    const after = text.slice(match.index! + match[0].length);
    const name = /^\s*export\s+(?:async\s+)?(?:function|const|class|interface|type|let)\s+(\w+)/.exec(after)?.[1] ?? '(unnamed)';
    const line = text.slice(0, match.index! + match[1].indexOf('@example')).split('\n').length;
    out.push({ file: path.relative(root, file), line, name, code: code.join('\n').trim() });
  }
  return out;
}

/** The value a trailing comment claims: a number (with its tolerance), a list of claims, or a literal. */
type Claimed = { number: number; tolerance: (value: number) => number } | { list: Claimed[] } | { literal: boolean | string };

const FLOAT32_MATCH = 1e-6;

/** Half a unit in the last digit written, e.g. 0.00005 for "0.5332", 5e-6 for "8.9e-4". */
function halfUnitInLastPlace(text: string): number {
  const [, decimals = '', exponent = '0'] = /^-?\d*(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text)!;
  return 0.5 * 10 ** (Number(exponent) - decimals.length);
}

/** The value a comment claims, or undefined when the comment is not just a value. */
function claimedValue(comment: string): Claimed | undefined {
  let text = comment.trim();
  const approximate = text.startsWith('≈');
  if (approximate) text = text.slice(1).trim();
  const tokens = text.replace(/−/g, '-').match(/\[|\]|,|"[^"\\]*"|'[^'\\]*'|true|false|-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|\S+/gi) ?? [];
  let at = 0;
  const parse = (): Claimed | undefined => {
    const token = tokens[at++];
    if (token === '[') {
      const list: Claimed[] = [];
      if (tokens[at] === ']') return at++, { list };
      for (;;) {
        const item = parse();
        if (!item) return undefined;
        list.push(item);
        const next = tokens[at++];
        if (next === ']') return { list };
        if (next !== ',') return undefined;
      }
    }
    if (token === 'true' || token === 'false') return { literal: token === 'true' };
    if (/^(["']).*\1$/.test(token ?? '')) return token.includes('…') ? undefined : { literal: token.slice(1, -1) };
    if (!/^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(token ?? '')) return undefined;
    const half = halfUnitInLastPlace(token);
    return { number: Number(token), tolerance: approximate ? () => half : (v) => FLOAT32_MATCH * Math.abs(v) };
  };
  const claimed = parse();
  return claimed && at === tokens.length ? claimed : undefined;
}

/** Why `actual` does not match the claim, or undefined when it does. */
function mismatch(actual: unknown, claimed: Claimed): string | undefined {
  if (typeof (actual as tf.Tensor | undefined)?.arraySync === 'function') actual = (actual as tf.Tensor).arraySync();
  if ('literal' in claimed) return actual === claimed.literal ? undefined : 'differs';
  if ('number' in claimed) {
    if (typeof actual !== 'number') return `is not a number`;
    const gap = Math.abs(actual - claimed.number);
    return actual === claimed.number || gap <= claimed.tolerance(claimed.number) ? undefined : `differs by ${gap.toExponential(2)}`;
  }
  const list = actual as ArrayLike<unknown>;
  if (typeof actual !== 'object' || actual === null || typeof list.length !== 'number') return 'is not a list';
  if (list.length !== claimed.list.length) return `has ${list.length} entries, not ${claimed.list.length}`;
  for (let i = 0; i < list.length; i++) {
    const why = mismatch(list[i], claimed.list[i]);
    if (why) return `entry ${i} ${why}`;
  }
  return undefined;
}

function shown(x: unknown): string {
  if (ArrayBuffer.isView(x)) x = Array.from(x as unknown as ArrayLike<number>);
  if (typeof (x as tf.Tensor | undefined)?.arraySync === 'function') x = (x as tf.Tensor).arraySync();
  return typeof x === 'string' ? JSON.stringify(x) : JSON.stringify(x, (_, v) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v)) ?? String(x);
}

/** An example's value comment that the expression's value contradicts. */
class ClaimMismatch extends Error {}

/**
 * The example with every expression statement that ends in a value comment wrapped in a check of that
 * value, and the claims, in order.
 */
function withValueChecks(code: string): { code: string; claims: { line: number; expression: string; comment: string; claimed: Claimed }[] } {
  const file = ts.createSourceFile('example.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: { start: number; end: number; expression: string; comment: string; claimed: Claimed }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isExpressionStatement(node)) {
      const [comment] = ts.getTrailingCommentRanges(code, node.end) ?? [];
      if (comment?.kind === ts.SyntaxKind.SingleLineCommentTrivia) {
        const text = code.slice(comment.pos + 2, comment.end);
        const claimed = claimedValue(text);
        if (claimed) found.push({ start: node.getStart(file), end: node.end, expression: node.expression.getText(file), comment: text.trim(), claimed });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  let out = code;
  // From the last one back, so that earlier offsets stay valid.
  for (let i = found.length - 1; i >= 0; i--) {
    out = `${out.slice(0, found[i].start)}__expect(${i}, (${found[i].expression}));${out.slice(found[i].end)}`;
  }
  const claims = found.map((f) => ({ line: file.getLineAndCharacterOfPosition(f.start).line + 1, expression: f.expression, comment: f.comment, claimed: f.claimed }));
  return { code: out, claims };
}

/**
 * `maml-lab` and its subpaths → the sources; a relative path → beside the example's own file (internal
 * modules such as src/cli are not exported, so their examples import them relatively); anything else as
 * node resolves it from here.
 */
function exampleRequire(file: string): (id: string) => unknown {
  return (id) => {
    const m = /^maml-lab(?:\/(derivations|homework|kernel|meta|notebook|plots))?$/.exec(id);
    if (m) return require(path.join(src, m[1] ?? '', 'index.ts'));
    if (id.startsWith('.')) return require(path.resolve(root, path.dirname(file), id));
    return require(id);
  };
}

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;

async function run(example: Example): Promise<void> {
  const { code, claims } = withValueChecks(example.code);
  const expect = (i: number, actual: unknown): void => {
    const c = claims[i];
    const why = mismatch(actual, c.claimed);
    if (why) throw new ClaimMismatch(`line ${c.line}: \`${c.expression}\` is ${shown(actual)}, but its comment says // ${c.comment} (${why})`);
  };
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    reportDiagnostics: false,
  }).outputText;
  const module = { exports: {} };
  const quiet = console.log;
  console.log = () => undefined;
  tf.engine().startScope();
  try {
    await new AsyncFunction('require', 'exports', 'module', '__expect', js)(exampleRequire(example.file), module.exports, module, expect);
  } finally {
    tf.engine().endScope();
    console.log = quiet;
  }
}

// bench/ too: its pure helpers (the busy rule, callgrind's total) are exported with examples like src/'s.
const examples = [...sourceFiles(src), ...sourceFiles(path.join(root, 'bench'))].flatMap(examplesOf);

before(async () => {
  await ready();
});

describe('value comments', () => {
  test('a comment that is only a value is a claim; prose is not', () => {
    for (const c of ['5', '-0.5', '≈ 0.5332', '≈ −0.5332', '[0.8, 1.6]', '[[1, 0], [0, 1]]', '[]', 'true', '"3.2e-7"', "'wasm'", '["a", "b"]']) {
      assert.ok(claimedValue(c), `"${c}" should be a claim`);
    }
    for (const c of ['ok', 'ok: 5 tasks', 'e.g. "0.1.0"', 'shape [1, 1]', '"maml-lab 0.1.0 · …"', '[W, b], closer to y = 2x + 1', '6: after 0, 1, …, 5 steps', 'I', '≈ I − αH', '[1, 2', '1 2']) {
      assert.equal(claimedValue(c), undefined, `"${c}" should not be a claim`);
    }
  });

  test('numbers match to float32 precision, or with ≈ to the digits shown', () => {
    const check = (actual: unknown, comment: string) => mismatch(actual, claimedValue(comment)!);
    assert.equal(check(Math.fround(0.8), '0.8'), undefined);
    assert.equal(check(Float32Array.of(0.8, 1.6), '[0.8, 1.6]'), undefined);
    assert.equal(check(tf.tensor2d([[2, 0], [0, 2]]), '[[2, 0], [0, 2]]'), undefined);
    assert.equal(check(-0.53318, '≈ −0.5332'), undefined);
    assert.equal(check(0.8205, '≈ 0.8215'), 'differs by 1.00e-3');
    assert.equal(check(5.3, '5'), 'differs by 3.00e-1');
    assert.equal(check(5.00001, '5'), 'differs by 1.00e-5');
    assert.equal(check(0.53318, '≈ -0.5332'), 'differs by 1.07e+0');
    assert.equal(check([1, 2, 3], '[1, 2]'), 'has 3 entries, not 2');
    assert.equal(check(4, '[4]'), 'is not a list');
    assert.equal(check('4', '4'), 'is not a number');
    assert.equal(check(['a', 'b'], '["a", "b"]'), undefined);
    assert.equal(check(false, 'true'), 'differs');
  });
});

describe('doc-comment examples', () => {
  test('there are examples to run, and each one is non-empty', () => {
    assert.ok(examples.length >= 100, `found only ${examples.length} examples under src/`);
    for (const e of examples) assert.ok(e.code.length > 0, `${e.file}:${e.line} (${e.name}) has an empty @example`);
  });

  for (const example of examples) {
    test(`${example.file}:${example.line} ${example.name}`, { timeout: 60_000 }, async () => {
      try {
        await run(example);
      } catch (error) {
        if (error instanceof ClaimMismatch) assert.fail(`the @example of ${example.name} (${example.file}:${example.line}) is wrong: ${error.message}\n--- example ---\n${example.code}`);
        assert.fail(`the @example of ${example.name} (${example.file}:${example.line}) throws: ${(error as Error).message}\n--- example ---\n${example.code}`);
      }
    });
  }
});
