export * from './render';
export * from './show';
export * from './progress';
export * from './interrupt';
