/*
 * Doctest: every `@example` in a doc comment under src/ is executed, so the examples cannot rot. An example
 * must be self-contained: it imports what it uses (from 'maml-lab' or a subpath, or any dependency) and
 * defines every name it mentions. Imports of the package resolve to src/, so the examples test the code as
 * it stands, not a stale build.
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

/** `maml-lab` and its subpaths → the sources; everything else as node resolves it from here. */
function exampleRequire(id: string): unknown {
  const m = /^maml-lab(?:\/(derivations|meta|notebook|plots))?$/.exec(id);
  if (m) return require(path.join(src, m[1] ?? '', 'index.ts'));
  return require(id);
}

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;

async function run(example: Example): Promise<void> {
  const js = ts.transpileModule(example.code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    reportDiagnostics: false,
  }).outputText;
  const module = { exports: {} };
  const quiet = console.log;
  console.log = () => undefined;
  tf.engine().startScope();
  try {
    await new AsyncFunction('require', 'exports', 'module', js)(exampleRequire, module.exports, module);
  } finally {
    tf.engine().endScope();
    console.log = quiet;
  }
}

const examples = sourceFiles(src).flatMap(examplesOf);

before(async () => {
  await ready();
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
        assert.fail(`the @example of ${example.name} (${example.file}:${example.line}) throws: ${(error as Error).message}\n--- example ---\n${example.code}`);
      }
    });
  }
});
