/**
 * The dataflow options shared by compile, energy, demo and sweep (issue 13):
 * `--dataflow auto|dense|event`, `--schedule auto|step|time`, `--profile DATA [--profile-limit N]`.
 * The profile is a built-in data set name or an .npy input array, checked against the model like
 * `run --input`; the cost model is priced with the energy table evaluated for the chip.
 */
import type { Command } from '@commander-js/extra-typings';
import type { CompileOptions } from '../compiler/index.js';
import { DATAFLOWS, SCHEDULES, type DataflowOption, type ScheduleOption } from '../compiler/dataflow.js';
import { parseStoredProfile, profileModel, PROFILE_META_KEY } from '../compiler/profile.js';
import type { Graph } from '../models/graph.js';
import type { ChipConfig } from '../isa/chip.js';
import { BwsnnError } from '../isa/errors.js';
import { DATASETS } from '../models/data/index.js';
import type { IntModel } from '../models/intmodel.js';
import { defaultEnergyTable, resolveEnergyTable, type EnergyTable } from '../simulator/energy/table.js';
import { loadSimInputs } from './pipeline.js';

export interface DataflowCliOptions {
  dataflow?: string;
  schedule?: string;
  profile?: string;
  profileLimit?: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function dataflowOptions<C extends Command<any, any, any>>(cmd: C, profileLimitFlag = '--profile-limit'): C {
  cmd
    .option('--dataflow <d>', `synapse dataflow per layer: ${DATAFLOWS.join(', ')} (auto: the cost model chooses)`, 'dense')
    .option('--schedule <s>', `schedule: ${SCHEDULES.join(', ')} (time: layer-major, each weight read once per inference)`, 'step')
    .option('--profile <data>', `spike statistics for the cost model, measured with the integer reference on a built-in data set (${DATASETS.join(', ')}) or an .npy input array`)
    .option(`${profileLimitFlag} <n>`, 'profile at most the first N samples', '200');
  return cmd;
}

/** Compile options of the dataflow flags (profiling the model when asked). */
export function resolveDataflow(
  o: DataflowCliOptions,
  m: IntModel,
  chip: ChipConfig,
  table: EnergyTable = defaultEnergyTable(),
  graph?: Graph,
  file = m.name,
): Pick<CompileOptions, 'dataflow' | 'schedule' | 'profile' | 'price'> {
  const dataflow = o.dataflow ?? 'dense';
  const schedule = o.schedule ?? 'step';
  if (!(DATAFLOWS as readonly string[]).includes(dataflow)) throw new BwsnnError(`--dataflow: expected one of ${DATAFLOWS.join(', ')}, got ${JSON.stringify(dataflow)}`, 2);
  if (!(SCHEDULES as readonly string[]).includes(schedule)) throw new BwsnnError(`--schedule: expected one of ${SCHEDULES.join(', ')}, got ${JSON.stringify(schedule)}`, 2);
  const resolved = resolveEnergyTable(table, chip);
  const price = (e: Parameters<NonNullable<CompileOptions['price']>>[0]): number => resolved.events[e].energy * 1e12;
  let profile: CompileOptions['profile'];
  if (o.profile !== undefined) {
    const isData = (DATASETS as readonly string[]).includes(o.profile);
    const meta = { name: m.name, timesteps: m.timesteps, inputShape: m.input.shape, encoding: m.input.encoding, classes: 0 };
    const { inputs, source } = loadSimInputs({ data: isData ? o.profile : undefined, input: isData ? undefined : o.profile, split: isData ? 'train' : 'test', limit: o.profileLimit }, meta, m.name);
    profile = profileModel(m, { count: inputs.count, data: inputs.data, steps: 'steps' in inputs ? inputs.steps : undefined }, source);
  } else if (typeof graph?.meta?.[PROFILE_META_KEY] === 'string') {
    // A profile stored in the model (compile --save-profile).
    profile = parseStoredProfile(graph.meta[PROFILE_META_KEY], file);
    const names = new Set([m.input.name, ...m.layers.map((l) => l.name)]);
    for (const k of Object.keys(profile.sources)) {
      if (!names.has(k)) throw new BwsnnError(`${file}: meta.${PROFILE_META_KEY}: source ${k} is not the input or a layer of model ${m.name} (re-profile with --profile)`);
    }
    profile.data = `${profile.data} (stored in the model)`;
  }
  return { dataflow: dataflow as DataflowOption, schedule: schedule as ScheduleOption, profile, price };
}
