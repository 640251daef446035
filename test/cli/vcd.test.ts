/**
 * `run --vcd/--trace`: the VCD's time is cycles x clock period, its hierarchy is chip > core >
 * layer, membranes are integer vectors, and --vcd-neurons is checked against the binary; the
 * Perfetto trace carries counter tracks.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli, startCapture } from '../helpers/cli.js';
import { loadDataset } from '../../models/data/index.js';
import { writeNpy } from '../../models/data/npy.js';
import { vcdTime } from '../../simulator/trace.js';
import { readContainer } from '../../isa/container.js';
import { simulate } from '../../simulator/simulate.js';

let dir: string;
let out: string[];
let err: string[];
beforeEach(() => {
  ({ dir, out, err } = startCapture('bwsnn-vcd-'));
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Minimal VCD reader: timescale, scopes of every variable, and the value changes by id. */
function parseVcd(text: string): { timescale: string; vars: Map<string, { path: string; width: number; type: string }>; changes: Map<string, [number, string][]>; lastTime: number } {
  const vars = new Map<string, { path: string; width: number; type: string }>();
  const changes = new Map<string, [number, string][]>();
  const scope: string[] = [];
  let timescale = '';
  let t = 0;
  let lastTime = 0;
  const [head, body] = text.split('$enddefinitions $end');
  for (const line of head!.split('\n')) {
    let m = /^\$timescale (.*) \$end$/.exec(line);
    if (m) timescale = m[1]!;
    m = /^\$scope module (\S+) \$end$/.exec(line);
    if (m) scope.push(m[1]!);
    if (line.startsWith('$upscope')) scope.pop();
    m = /^\$var (\S+) (\d+) (\S+) (\S+) \$end$/.exec(line);
    if (m) vars.set(m[3]!, { type: m[1]!, width: Number(m[2]), path: [...scope, m[4]!].join('.') });
  }
  for (const line of body!.split('\n')) {
    if (line.startsWith('#')) {
      t = Number(line.slice(1));
      lastTime = t;
      continue;
    }
    let m = /^b([01]+) (\S+)$/.exec(line);
    if (m) {
      if (!changes.has(m[2]!)) changes.set(m[2]!, []);
      changes.get(m[2]!)!.push([t, m[1]!]);
      continue;
    }
    m = /^([01])(\S+)$/.exec(line);
    if (m) {
      if (!changes.has(m[2]!)) changes.set(m[2]!, []);
      changes.get(m[2]!)!.push([t, m[1]!]);
    }
  }
  return { timescale, vars, changes, lastTime };
}

describe('run --vcd and --trace', () => {
  it('writes time = cycles x clock period, a core/layer hierarchy, membranes; counter tracks in the Perfetto trace', async () => {
    const bin = join(dir, 'm.bwc');
    expect(await runCli('compile', 'models/zoo/mnist-mlp.bwsnn', '-o', bin, '--no-measure')).toBe(0);
    const ds = loadDataset('mnist', 'test');
    const x = join(dir, 'x.npy');
    writeFileSync(x, writeNpy({ dtype: 'f4', shape: [2, 784], data: Float32Array.from(ds.inputs.subarray(0, 2 * 784), (v) => v / 255) }));
    const vcd = join(dir, 'o.vcd');
    const tr = join(dir, 'o.json');
    out.length = 0;
    expect(await runCli('run', bin, '--input', x, '--workers', '1', '--vcd', vcd, '--vcd-neurons', '0:0-3', '--trace', tr, '--trace-sample', '1', '--json', '--per-inference')).toBe(0);
    const doc = JSON.parse(out.join('')) as { samples: { cycles: number }[] };
    const cycles = doc.samples[1]!.cycles;
    const v = parseVcd(readFileSync(vcd, 'utf8'));
    // 200 MHz: 5 ns per cycle, in a 1 ns timescale; the dump ends at the end of the inference
    expect(v.timescale).toBe('1 ns');
    expect(v.lastTime).toBe(cycles * 5);
    const paths = [...v.vars.values()].map((x) => x.path);
    expect(paths).toContain('chip.core0.busy');
    expect(paths).toContain('chip.core15.busy');
    // core 0's neurons 0..3 are fc1.if neurons (layer-named, with their index in the layer)
    const spikeVars = paths.filter((p) => p.startsWith('chip.core0.fc1_if.') && p.endsWith('_spike'));
    expect(spikeVars).toHaveLength(4);
    const mem = [...v.vars.entries()].filter(([, x]) => x.path.startsWith('chip.core0.fc1_if.') && x.path.endsWith('_v'));
    expect(mem).toHaveLength(4);
    expect(mem.every(([, x]) => x.type === 'integer' && x.width === 16)).toBe(true);
    // membranes change over the inference; every change time is a multiple of the 5 ns period
    const memChanges = mem.flatMap(([id]) => v.changes.get(id) ?? []);
    expect(memChanges.length).toBeGreaterThan(4);
    expect(memChanges.every(([t]) => t % 5 === 0)).toBe(true);
    // busy lines: every change on the 5 ns grid
    const busyId = [...v.vars.entries()].find(([, x]) => x.path === 'chip.core0.busy')![0];
    expect((v.changes.get(busyId) ?? []).every(([t]) => t % 5 === 0)).toBe(true);
    // flits per link: counters whose final values add up to the hops of the traced inference
    const c = readContainer(new Uint8Array(readFileSync(bin)), bin);
    const sim = await simulate(c, { count: 2, data: Float32Array.from(ds.inputs.subarray(0, 2 * 784), (q) => q / 255) }, { trace: { sample: 1 } });
    const hops = sim.inferences[1]!.events.flit_hop;
    expect(hops).toBeGreaterThan(0);
    const linkVars = [...v.vars.entries()].filter(([, x]) => /^chip\.core\d+\.flits_[EWSN]$/.test(x.path));
    expect(linkVars.length).toBeGreaterThan(0);
    const finals = linkVars.map(([id]) => {
      const cs = v.changes.get(id) ?? [];
      return parseInt(cs[cs.length - 1]![1], 2);
    });
    expect(finals.reduce((a, b) => a + b, 0)).toBe(hops);
    expect(sim.trace!.links!.router.length).toBe(hops);
    const trace = JSON.parse(readFileSync(tr, 'utf8')) as { traceEvents: { ph: string; name: string; ts?: number }[] };
    const counters = trace.traceEvents.filter((e) => e.ph === 'C');
    expect(counters.some((e) => e.name === 'cores busy')).toBe(true);
    expect(counters.some((e) => e.name === 'spikes of the watched neurons')).toBe(true);
    expect(counters.some((e) => /membrane/.test(e.name))).toBe(true);
    expect(counters.some((e) => /^router \d+ flits sent$/.test(e.name))).toBe(true);
  });

  it('refuses neuron ranges outside the binary, and --trace-sample without a trace', async () => {
    const bin = join(dir, 'm.bwc');
    expect(await runCli('compile', 'models/zoo/mnist-mlp.bwsnn', '-o', bin, '--no-measure')).toBe(0);
    const vcd = join(dir, 'o.vcd');
    expect(await runCli('run', bin, '--data', 'mnist', '--limit', '1', '--vcd', vcd, '--vcd-neurons', '0:0-5000')).toBe(2);
    expect(err.join('')).toMatch(/core 0 of .*m\.bwc has 106 neurons \(0\.\.105\)/);
    expect(await runCli('run', bin, '--data', 'mnist', '--limit', '1', '--vcd', vcd, '--vcd-neurons', '99:0')).toBe(2);
    expect(err.join('')).toMatch(/core 99 is outside the 4x4 mesh/);
    expect(await runCli('run', bin, '--data', 'mnist', '--limit', '1', '--trace-sample', '0')).toBe(2);
    expect(err.join('')).toMatch(/--trace-sample goes with --vcd or --trace/);
    expect(existsSync(vcd)).toBe(false);
  });

  it('uses picoseconds when the clock period is not a whole number of nanoseconds', () => {
    expect(vcdTime(200e6).timescale).toBe('1 ns');
    expect(vcdTime(200e6).at(7)).toBe(35);
    const t = vcdTime(300e6);
    expect(t.timescale).toBe('1 ps');
    expect(t.at(3)).toBe(10000);
    expect(t.at(1)).toBe(3333);
  });
});
