/** The cycle-accurate BW-Core simulator (docs/timing.md, docs/energy.md). */
export { simulate, simulateSync, workerEntry, closeWorkerPool, type LayerShare, type SimOptions, type SimResult, type Inference, type CoreSummary, type Stat } from './simulate.js';
export type { SimInputs, StepFlits } from './input.js';
export { loadBinary, type LoadedBinary } from './load.js';
export { Machine, EVENT_INDEX, EVENT_COUNT, type InferenceRecord, type Tracer } from './engine.js';
export { defaultEnergyTable, parseEnergyTable, energyTableFromText, resolveEnergyTable, evalSizeRule, type EnergyTable, type EnergyEntry, type SizeRule } from './energy/table.js';
export { energyBreakdown, COMPONENTS, EVENT_COMPONENT, type Component, type EnergyBreakdown } from './energy/breakdown.js';
export { toVcd, toChromeTrace, parseNeuronRanges, TraceRecorder, type TraceData, type NeuronRange } from './trace.js';
export * from './units.js';
