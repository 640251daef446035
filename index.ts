/**
 * The library API: `import { compileModel, simulate, ... } from 'bwsnn'` (package.json `exports`).
 * Everything the CLI does is one of these functions; deeper modules stay importable as
 * `bwsnn/dist/<dir>/<module>.js`.
 */
export { loadModel, saveModel, readBwsnn, writeBwsnn } from './models/format.js';
export { foldGraph, type FoldWidths } from './models/fold.js';
export { runReference, type RefResult } from './models/int-exec.js';
export { runFloat, argmax, type ExecResult } from './models/float-exec.js';
export { measureAgreement, type AgreementReport } from './models/agreement.js';
export { loadDataset, DATASETS, type Dataset, type DatasetName, type Split } from './models/data/index.js';
export { readNpy, type NpyArray } from './models/data/npy.js';
export type { Graph } from './models/graph.js';
export type { IntModel } from './models/intmodel.js';
export { importNir, importNirAsync, loadNirAsGraph, loadNirAsGraphAsync, exportNir, NIR_IMPORT_DEFAULTS, type NirImportOptions } from './models/nir/index.js';
export { compileModel, compileStages, STAGES, STRATEGIES, formatReport, type CompileReport, type CompileOptions, type Stage, type Strategy } from './compiler/index.js';
export {
  simulate,
  simulateSync,
  closeWorkerPool,
  defaultEnergyTable,
  energyTableFromText,
  parseEnergyTable,
  energyBreakdown,
  COMPONENTS,
  toVcd,
  toChromeTrace,
  type SimOptions,
  type SimResult,
  type SimInputs,
  type Inference,
  type EnergyTable,
  type Component,
} from './simulator/index.js';
export { DEFAULT_CHIP, parseChipConfig, type ChipConfig } from './isa/chip.js';
export { CHIP_PRESETS, PRESET_LIST } from './isa/presets.js';
export { readContainer, writeContainer, validateContainer } from './isa/container.js';
export type { BwcContainer } from './isa/container-types.js';
export { BwsnnError } from './isa/errors.js';
export { detectFileKind, type FileKind } from './isa/filetype.js';
