export * from './check';
export * from './derivation';
export * from './float64Mlp';
export * from './finiteDifferences';
export * from './instances';
export * as exact from './exact';
export * as autodiff from './autodiff';
export * from './maml';
export * from './symbolic';
