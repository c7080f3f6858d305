/**
 * `npm run build` (its last step): bundles src/web (the book's live explorers and the package code they
 * call) for the browser into dist/web/maml-lab-web.js, one IIFE that sets window.MamlLabWeb.
 *
 * esbuild, because it bundles TypeScript with the package's own sources in a fraction of a second and is
 * already what tsx runs on. platform 'browser' makes any Node built-in (fs, path, …) that src/web reaches
 * a build error, which is the guard that the page runs what the notebooks run without Node. The bundle must
 * stay free of tfjs: the explorers compute in float64 with the closed forms, and tfjs would add megabytes
 * and a backend to every page (checked below by the bundle's metafile).
 *
 * The kernel Worker (src/web/kernelWorker.ts) is bundled first, on its own, with mlp.wasm inlined as base64
 * (`define`); its text is then embedded in the page bundle, which starts it from a Blob URL: from file://
 * neither a Worker script nor the .wasm can be loaded as a sibling file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(__dirname, '..');

/** Where the bundle is written, and the one file name every page and notebook output uses. */
export const WEB_BUNDLE = path.join(root, 'dist', 'web', 'maml-lab-web.js');

/** Packages the bundle must never contain. */
const FORBIDDEN = [/node_modules\/@tensorflow\//];

/** What the Worker's build and the page's share: one IIFE for the browser, with its metafile for the checks below. */
const BROWSER_BUILD = {
  bundle: true,
  format: 'iife' as const,
  platform: 'browser' as const,
  target: ['chrome100', 'firefox100'],
  legalComments: 'none' as const,
  metafile: true as const,
  logLevel: 'warning' as const,
  tsconfig: path.join(root, 'tsconfig.web.json'),
};

/** Input files of a build that are forbidden packages. */
function forbiddenInputs(metafile: { inputs: Record<string, unknown> }): string[] {
  return Object.keys(metafile.inputs).filter((file) => FORBIDDEN.some((f) => f.test(file)));
}

/** The kernel Worker's bundled source, mlp.wasm inside. */
async function buildWorker(): Promise<string> {
  const wasm = path.join(root, 'dist', 'kernel', 'mlp.wasm');
  if (!fs.existsSync(wasm)) throw new Error(`${path.relative(root, wasm)} is missing: build the kernel first (npm run build:kernel)`);
  const result = await build({
    ...BROWSER_BUILD,
    entryPoints: [path.join(root, 'src', 'web', 'kernelWorker.ts')],
    minify: true,
    write: false,
    define: { MAML_LAB_KERNEL_WASM: JSON.stringify(fs.readFileSync(wasm).toString('base64')) },
  });
  const forbidden = forbiddenInputs(result.metafile);
  if (forbidden.length > 0) throw new Error(`the kernel Worker must not contain ${forbidden.slice(0, 3).join(', ')}: something it imports reaches it`);
  return result.outputFiles[0].text;
}

/** Builds the bundle; returns its size in bytes. Throws when a forbidden package got in. */
export async function buildWebBundle(): Promise<number> {
  const workerSource = await buildWorker();
  const result = await build({
    ...BROWSER_BUILD,
    entryPoints: [path.join(root, 'src', 'web', 'index.ts')],
    // Whitespace and syntax minified, names kept: readable in a browser's debugger and in an error's stack,
    // and stable for the tests that plant a bug in the bundle (test/book-explorers.test.ts).
    minifyWhitespace: true,
    minifySyntax: true,
    outfile: WEB_BUNDLE,
    define: { MAML_LAB_KERNEL_WORKER: JSON.stringify(workerSource) },
  });
  const forbidden = forbiddenInputs(result.metafile);
  if (forbidden.length > 0) throw new Error(`the browser bundle must not contain ${forbidden.slice(0, 3).join(', ')}${forbidden.length > 3 ? ', …' : ''}: something in src/web imports it`);
  const text = fs.readFileSync(WEB_BUNDLE, 'utf8');
  // A notebook output inlines the bundle in a <script> element: the text must not end it early.
  if (/<\/script/i.test(text)) throw new Error('the browser bundle contains "</script", which would end the <script> that carries it');
  return text.length;
}

if (require.main === module) {
  buildWebBundle().then(
    (bytes) => console.log(`build-web: ${path.relative(process.cwd(), WEB_BUNDLE)} ${(bytes / 1e3).toFixed(0)} kB`),
    (error: Error) => {
      console.error(`build-web: ${error.message}`);
      process.exit(1);
    },
  );
}
