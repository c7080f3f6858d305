export * from './engine';
export * from './validate';
export * from './activations';
export * from './model';
export * from './params';
export * from './loss';
export * from './inner';
export * from './tidy';
