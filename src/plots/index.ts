export * from './figure';
export { heatmap, type HeatmapSpec } from './heatmap';
export { hessianHeatmap, hessianSplitHeatmaps, type HessianFigureOptions } from './hessian';
export { mlpParameterLayout, type ParameterBlock, type ParameterLayout } from './parameters';
export { spectrumFigure, spectrumHistogram, type SpectrumHistogram } from './spectrum';
export { symlog, symlogTicks } from './symlog';
export { topEigenvalueChart, type EigenvalueRun } from './topEigenvalue';
