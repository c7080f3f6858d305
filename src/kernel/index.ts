export * from './layout';
export * from './math';
export * from './wasmMath';
export * from './float64Math';
export * from './heapPlan';
export * from './metaGradients';
export * from './hessians';
export * from './adaptation';
