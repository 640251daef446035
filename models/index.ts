export * from './graph.js';
export * from './intmodel.js';
export { validateGraph, sizeOf, windowOut, NODE_OPS, SPIKING_OPS, type GraphInfo, type ValueKind } from './validate.js';
export { readBwsnn, writeBwsnn, loadModel, saveModel, BWSNN_MAGIC, BWSNN_VERSION } from './format.js';
export { foldGraph, type FoldWidths } from './fold.js';
export { runFloat, argmax, type ExecResult } from './float-exec.js';
export { runReference, type RefResult } from './int-exec.js';
export { measureAgreement, type AgreementReport } from './agreement.js';
