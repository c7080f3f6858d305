export * from './render';
export * from './show';
