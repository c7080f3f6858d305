export * from './meta';
export * from './derivations';
export * from './notebook';
export * from './plots';
export * from './homework';
