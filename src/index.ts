export * from './meta';
export * from './derivations';
