export * from './render';
export * from './show';
export * from './progress';
export * from './claim';
export * from './interrupt';
export { saveFigure } from './saveFigure';
export * from './execute';
export * from './runner';
export { assertSetupDone, jupyterEnv } from './venv';
