export * from './graph.js';
export * from './intmodel.js';
