/*
 * The pieces of `npm run setup:tfjs-node` (scripts/tfjs-node.ts) that can be tested without the 274 MB
 * wheel: the link plan against what tfjs-node's install script and build expect, the header closure
 * unpacked from a wheel (a small fake one built here), the cache's completeness, and the message for each
 * way setup can fail. The whole route, download to working backend, runs in CI's second pass.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  applyLinks,
  bindingIncludes,
  cacheBytes,
  cacheComplete,
  cacheRoot,
  diagnoseBuildFailure,
  diagnoseLoadFailure,
  diagnosePipFailure,
  expectedLibtensorflowVersion,
  libtensorflowDir,
  linkPlan,
  missingBuildTools,
  nodeHeadersDir,
  nodeProblem,
  packageProblem,
  pinnedVersion,
  pipDownloadArgs,
  platformProblem,
  probeProblem,
  TENSORFLOW_WHEEL,
  wheelFileName,
} from '../scripts/tfjs-node';

const root = path.resolve(__dirname, '..');
const scratch = () => fs.mkdtempSync(path.join(os.tmpdir(), 'maml-lab-tfjs-node-'));

describe('the wheel and the cache', () => {
  test('the wheel is named as pip and PyPI name it', () => {
    assert.equal(wheelFileName(), 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl');
  });

  test('pip downloads exactly that wheel, for any Python running pip, without retries or a second copy in its cache', () => {
    const args = pipDownloadArgs('/d');
    for (const flag of ['--no-deps', '--no-cache-dir', '--only-binary=:all:']) assert.ok(args.includes(flag), flag);
    assert.deepEqual(args.slice(args.indexOf('--retries'), args.indexOf('--retries') + 2), ['--retries', '0']);
    assert.deepEqual(args.slice(args.indexOf('--python-version'), args.indexOf('--python-version') + 2), ['--python-version', '3.11']);
    assert.deepEqual(args.slice(args.indexOf('--platform'), args.indexOf('--platform') + 2), ['--platform', 'manylinux_2_27_x86_64']);
    assert.equal(args.at(-1), 'tensorflow-cpu==2.21.0');
  });

  test('the cache lives outside node_modules: MAML_LAB_CACHE, else XDG_CACHE_HOME, else ~/.cache', () => {
    assert.equal(cacheRoot({ MAML_LAB_CACHE: '/c', XDG_CACHE_HOME: '/x' }, '/home/u'), '/c');
    assert.equal(cacheRoot({ XDG_CACHE_HOME: '/x' }, '/home/u'), '/x/maml-lab');
    assert.equal(cacheRoot({}, '/home/u'), '/home/u/.cache/maml-lab');
    assert.equal(libtensorflowDir('/c'), '/c/libtensorflow-2.21.0-cpu-linux-x86_64');
  });

  test('a cache counts as complete only when its manifest lists every file at its size', () => {
    const dir = scratch();
    assert.equal(cacheComplete(dir), false);
    fs.mkdirSync(path.join(dir, 'lib'));
    fs.writeFileSync(path.join(dir, 'lib', 'a.so'), 'abc');
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ wheel: 'w', files: { 'lib/a.so': 3 } }));
    assert.equal(cacheComplete(dir), true);
    assert.equal(cacheBytes(dir), 3);
    fs.writeFileSync(path.join(dir, 'lib', 'a.so'), 'ab'); // truncated, say by a full disk
    assert.equal(cacheComplete(dir), false);
    assert.equal(cacheBytes(dir), 0);
  });
});

describe('unpacking a wheel (scripts/tfjs_node_wheel.py)', () => {
  /** A small stand-in for the tensorflow-cpu wheel: the two libraries, some headers, a licence, noise. */
  function fakeWheel(dir: string, omit: string[] = []): string {
    const members: Record<string, string> = {
      'tensorflow/libtensorflow_cc.so.2': 'cc',
      'tensorflow/libtensorflow_framework.so.2': 'framework',
      'tensorflow/include/LICENSE': 'Apache-2.0',
      'tensorflow/include/tensorflow/c/c_api.h': '#include "tensorflow/c/tf_status.h"\n#include <stdint.h>\n',
      'tensorflow/include/tensorflow/c/tf_status.h': '#include "tsl/c/tsl_status.h"\n# include "local.h"\n',
      'tensorflow/include/tensorflow/c/local.h': '// relative to the including header\n',
      'tensorflow/include/tsl/c/tsl_status.h': '#include "tensorflow/c/c_api.h"  // a cycle\n',
      'tensorflow/include/tensorflow/core/unrelated.h': '// not reachable from the seeds\n',
      'tensorflow/python/_pywrap.so': 'not wanted',
    };
    for (const name of omit) delete members[name];
    const wheel = path.join(dir, wheelFileName());
    const made = spawnSync('python3', ['-c', 'import json, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w") as z:\n    for k, v in json.loads(sys.argv[2]).items(): z.writestr(k, v)', wheel, JSON.stringify(members)]);
    assert.equal(made.status, 0, String(made.stderr));
    return wheel;
  }
  const unpack = (wheel: string, dest: string, seeds: string[]) =>
    spawnSync('python3', [path.join(root, 'scripts', 'tfjs_node_wheel.py'), wheel, dest, ...seeds], { encoding: 'utf8' });

  test('takes the two libraries, the licence, and the headers the seeds include, transitively, and nothing else', () => {
    const dir = scratch();
    const dest = path.join(dir, 'out');
    const r = unpack(fakeWheel(dir), dest, ['tensorflow/c/c_api.h', 'utils.h']);
    assert.equal(r.status, 0, r.stderr);
    const listing = JSON.parse(r.stdout) as { libraries: Record<string, number>; headers: string[] };
    assert.deepEqual(listing.libraries, { 'libtensorflow_cc.so.2': 2, 'libtensorflow_framework.so.2': 9 });
    assert.deepEqual(listing.headers, ['tensorflow/c/c_api.h', 'tensorflow/c/local.h', 'tensorflow/c/tf_status.h', 'tsl/c/tsl_status.h']);
    assert.equal(fs.readFileSync(path.join(dest, 'LICENSE'), 'utf8'), 'Apache-2.0');
    assert.equal(fs.existsSync(path.join(dest, 'include', 'tensorflow', 'core', 'unrelated.h')), false);
    assert.equal(fs.existsSync(path.join(dest, 'python')), false);
  });

  test('refuses a wheel without the libraries (exit 3, naming what is missing) and a file that is not a zip (exit 2)', () => {
    const dir = scratch();
    const r = unpack(fakeWheel(dir, ['tensorflow/libtensorflow_framework.so.2']), path.join(dir, 'out'), ['tensorflow/c/c_api.h']);
    assert.equal(r.status, 3);
    assert.match(r.stderr, /lacks tensorflow\/libtensorflow_framework\.so\.2/);
    const notZip = path.join(dir, 'x.whl');
    fs.writeFileSync(notZip, 'html error page');
    const bad = unpack(notZip, path.join(dir, 'out2'), ['tensorflow/c/c_api.h']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /cannot be read as a wheel/);
  });

  test("the seeds are the binding sources' quoted includes", () => {
    const sources = ['#include <node_api.h>\n#include "tensorflow/c/c_api.h"\n', '#  include "utils.h"\n#include "tensorflow/c/c_api.h"\n'];
    assert.deepEqual(bindingIncludes(sources), ['tensorflow/c/c_api.h', 'utils.h']);
  });
});

describe('linking the cache into the package', () => {
  test('deps/include is the headers; deps/lib has the sonames, the link names and the name the install script tests', () => {
    const plan = linkPlan('/p', '/cache', '2.9.1');
    const byName = Object.fromEntries(plan.map((l) => [path.relative('/p', l.path), l.target]));
    assert.deepEqual(byName, {
      'deps/include': '/cache/include',
      'deps/lib/libtensorflow_cc.so.2': '/cache/lib/libtensorflow_cc.so.2',
      'deps/lib/libtensorflow_framework.so.2': '/cache/lib/libtensorflow_framework.so.2',
      'deps/lib/libtensorflow.so': 'libtensorflow_cc.so.2',
      'deps/lib/libtensorflow.so.2': 'libtensorflow_cc.so.2',
      'deps/lib/libtensorflow.so.2.9.1': 'libtensorflow_cc.so.2',
      'deps/lib/libtensorflow_framework.so': 'libtensorflow_framework.so.2',
      'deps/lib/libtensorflow_framework.so.2.9.1': 'libtensorflow_framework.so.2',
    });
  });

  test('applying the plan resolves every name to the cache, replaces stale entries, and is idempotent', () => {
    const dir = scratch();
    const cache = path.join(dir, 'cache');
    const pkg = path.join(dir, 'pkg');
    fs.mkdirSync(path.join(cache, 'lib'), { recursive: true });
    fs.mkdirSync(path.join(cache, 'include', 'tensorflow', 'c'), { recursive: true });
    fs.writeFileSync(path.join(cache, 'lib', 'libtensorflow_cc.so.2'), 'cc');
    fs.writeFileSync(path.join(cache, 'lib', 'libtensorflow_framework.so.2'), 'fw');
    fs.writeFileSync(path.join(cache, 'include', 'tensorflow', 'c', 'c_api.h'), '');
    // What a failed online install leaves: a deps/lib with a real file where a link belongs.
    fs.mkdirSync(path.join(pkg, 'deps', 'lib'), { recursive: true });
    fs.writeFileSync(path.join(pkg, 'deps', 'lib', 'libtensorflow.so'), 'stale');
    const plan = linkPlan(pkg, cache, '2.9.1');
    assert.equal(applyLinks(plan), plan.length);
    assert.equal(applyLinks(plan), 0);
    const read = (name: string) => fs.readFileSync(path.join(pkg, 'deps', 'lib', name), 'utf8');
    for (const name of ['libtensorflow.so', 'libtensorflow.so.2', 'libtensorflow.so.2.9.1', 'libtensorflow_cc.so.2']) assert.equal(read(name), 'cc');
    for (const name of ['libtensorflow_framework.so', 'libtensorflow_framework.so.2.9.1', 'libtensorflow_framework.so.2']) assert.equal(read(name), 'fw');
    assert.ok(fs.existsSync(path.join(pkg, 'deps', 'include', 'tensorflow', 'c', 'c_api.h')));
  });

  test("the version in the install script's file name is read from the package (2.9.1 for tfjs-node 4.22)", () => {
    const pkg = scratch();
    fs.mkdirSync(path.join(pkg, 'scripts'));
    fs.writeFileSync(path.join(pkg, 'scripts', 'deps-constants.js'), "const LIBTENSORFLOW_VERSION = '2.11.0';\n");
    assert.equal(expectedLibtensorflowVersion(pkg), '2.11.0');
    assert.equal(expectedLibtensorflowVersion(scratch()), '2.9.1'); // no file: the 4.22 value
    const installed = path.join(root, 'node_modules', '@tensorflow', 'tfjs-node');
    if (fs.existsSync(path.join(installed, 'scripts', 'deps-constants.js'))) assert.equal(expectedLibtensorflowVersion(installed), '2.9.1');
  });
});

describe('the package and the machine', () => {
  test('tfjs-node is pinned to one version, the one tfjs has', () => {
    assert.equal(pinnedVersion(root), '4.22.0');
  });

  test('an absent package, another version and a missing dependency are each named', () => {
    const pkg = scratch();
    assert.match(packageProblem(pkg, '4.22.0')!, /not installed \(npm drops this optional dependency/);
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ version: '4.21.0' }));
    assert.equal(packageProblem(pkg, '4.22.0'), 'version 4.21.0 is installed, package.json pins 4.22.0');
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ version: '4.22.0', dependencies: { 'surely-not-installed-x': '1' } }));
    assert.equal(packageProblem(pkg, '4.22.0'), 'its dependency surely-not-installed-x is missing');
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ version: '4.22.0', dependencies: {} }));
    assert.equal(packageProblem(pkg, '4.22.0'), undefined);
  });

  test('only Linux x86-64 takes this route; elsewhere the message points to the normal install', () => {
    assert.equal(platformProblem('linux', 'x64'), undefined);
    assert.match(platformProblem('darwin', 'arm64')!, /darwin-arm64.*`npm install` installs @tensorflow\/tfjs-node the normal way/s);
    assert.match(platformProblem('linux', 'arm64')!, /Linux x86-64/);
  });

  test('Node older than 20, or without N-API 8, is refused with what to install', () => {
    assert.equal(nodeProblem({ ...process.versions, node: '20.20.2', napi: '10' }), undefined);
    assert.match(nodeProblem({ ...process.versions, node: '18.19.0', napi: '9' })!, /Node\.js 18\.19\.0 .* too old.*Install Node 20\+/);
  });

  test("Node's own headers are used when they sit beside node (no download), else node-gyp's default", () => {
    const has = (file: string) => file === '/usr/include/node/node_api.h';
    assert.equal(nodeHeadersDir('/usr/bin/node', has), '/usr');
    assert.equal(nodeHeadersDir('/opt/node-20/bin/node', has), undefined);
  });

  test('missing build tools are listed, honouring CXX', () => {
    const present = new Set(['g++', 'python3']);
    assert.deepEqual(missingBuildTools((c) => present.has(c), {}), ['make']);
    assert.deepEqual(missingBuildTools((c) => present.has(c), { CXX: 'clang++ -stdlib=libc++' }), ['clang++', 'make']);
  });
});

describe('each failure says what to do', () => {
  test('pip finds no wheel: download it elsewhere and pass --wheel', () => {
    const e = diagnosePipFailure('ERROR: Could not find a version that satisfies the requirement tensorflow-cpu==2.21.0\nERROR: No matching distribution found for tensorflow-cpu==2.21.0');
    assert.equal(e.kind, 'wheel');
    assert.match(e.message, /--wheel PATH\/TO\/tensorflow_cpu-2\.21\.0-cp311-cp311-manylinux_2_27_x86_64\.whl/);
    assert.match(e.message, /No matching distribution/);
  });

  test('pip fails otherwise (network): the same way out, with pip\'s words', () => {
    const e = diagnosePipFailure('ERROR: HTTP error 503 while getting https://files.pythonhosted.org/...');
    assert.equal(e.kind, 'wheel');
    assert.match(e.message, /--retries 0.*--wheel FILE.*HTTP error 503/s);
    assert.equal(diagnosePipFailure('OSError: [Errno 28] No space left on device').kind, 'disk');
  });

  // Lines as node-gyp 12 printed them here (captured with HOME pointing at an empty folder, and with CXX unset to a missing path).
  test("node-gyp cannot download Node's headers: install them and set npm_config_nodedir", () => {
    const output = [
      'gyp http GET https://nodejs.org/download/release/v20.20.2/node-v20.20.2-headers.tar.gz',
      'gyp WARN install got an error, rolling back install',
      'gyp ERR! configure error',
      'gyp ERR! stack Error: This is most likely not a problem with node-gyp or the package itself and',
      'gyp ERR! stack is related to network connectivity. In most cases you are behind a proxy or have bad',
      'gyp ERR! not ok',
    ].join('\n');
    const e = diagnoseBuildFailure(output);
    assert.equal(e.kind, 'headers');
    assert.match(e.message, /libnode-dev.*npm_config_nodedir/s);
  });

  test('no compiler: install g++ and make', () => {
    for (const line of ["FileNotFoundError: [Errno 2] No such file or directory: '/nonexistent/g++'", 'make: g++: No such file or directory', '/bin/sh: 1: make: not found']) {
      const e = diagnoseBuildFailure(`gyp info spawn make\n${line}\ngyp ERR! not ok`);
      assert.equal(e.kind, 'compiler', line);
      assert.match(e.message, /apt-get install g\+\+ make python3/);
      assert.ok(e.message.includes(line.trim()), 'the message quotes the line that says so');
    }
  });

  test('no Python for node-gyp, and any other build error, with the end of its output', () => {
    assert.equal(diagnoseBuildFailure('gyp ERR! find Python Python is not set from command line or npm configuration').kind, 'python');
    const e = diagnoseBuildFailure("../binding/tfjs_backend.cc:30:10: fatal error: tensorflow/core/platform/ctstring_internal.h: No such file or directory\ngyp ERR! not ok");
    assert.equal(e.kind, 'build');
    assert.match(e.message, /ctstring_internal\.h: No such file.*--force/s);
  });

  test('load failures: CPU without AVX, old glibc, another Node, a missing TF symbol, a deleted cache', () => {
    assert.match(diagnoseLoadFailure('', 'SIGILL').message, /AVX/);
    assert.match(diagnoseLoadFailure("Error: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.27' not found").message, /glibc 2\.27/);
    const abi = diagnoseLoadFailure('Error: The module was compiled against a different Node.js version using NODE_MODULE_VERSION 108.');
    assert.equal(abi.kind, 'node');
    assert.match(abi.message, /`node` and `npm` on PATH are one installation.*--force/s);
    assert.match(diagnoseLoadFailure('Error: tfjs_binding.node: undefined symbol: TFE_NewOp').message, /lacks.*--force/s);
    assert.match(diagnoseLoadFailure('Error: libtensorflow_cc.so.2: cannot open shared object file: No such file or directory').message, /moved or deleted/);
  });

  test("the probe's numbers: backend tensorflow, the matmul, and d²/dx² x³ at 2", () => {
    const good = { backend: 'tensorflow', tfjsNode: '4.22.0', libtensorflow: '2.21.0', matmul: [[19, 22], [43, 50]], secondDerivative: 12 };
    assert.equal(probeProblem(good), undefined);
    assert.match(probeProblem({ ...good, backend: 'cpu' })!, /backend is cpu/);
    assert.match(probeProblem({ ...good, secondDerivative: 0 })!, /gave 0, not 12/);
    assert.equal(TENSORFLOW_WHEEL.megabytes, 274);
  });
});
