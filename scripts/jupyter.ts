/**
 * Paths and environment shared by setup.ts, lab.ts and run-notebooks.ts, so that the kernel the tests
 * use is exactly the one `npm start` serves.
 */
import path from 'node:path';

import { packageRoot } from '../src/notebook/venv';

// The venv's paths and environment, and the setup steps, belong to the package: the notebook executor
// needs them at run time, and an installed package (a student's handout) sets itself up with them.
export { assertSetupDone, jupyterDataDir, jupyterEnv, kernelSpecFile, venvBin, venvDir, venvPython } from '../src/notebook/venv';
export { ensureVenv, labSettingsFile, runCaptured, tslabBin, venvPipInstall } from '../src/notebook/setup';

/** The package root (the folder holding package.json). */
export const projectRoot: string = packageRoot;

/** The folder JupyterLab serves and `npm run notebooks` executes by default. */
export const notebooksDir: string = path.join(projectRoot, 'notebooks');
