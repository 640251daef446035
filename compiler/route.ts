/**
 * Pass 5, route: build the routing lists. For every axon region of a layer source on a core, each
 * owner task of that layer whose units overlap the region sends the overlap there. Destinations
 * that receive the same neuron range of a task share one routing list: one SEND, one spike word,
 * several cores (multicast). Recurrent regions get ROUTE_NEXT_STEP (delivered into the next
 * step's bank). Each helper task gets one PSUM list per accumulator bank to its owner's neurons
 * (ROUTE_PSUM_ACC1 for bank 1).
 */
import type { ChipConfig } from '../isa/chip.js';
import { ROUTE_NEXT_STEP, ROUTE_PSUM_ACC1, type RouteDest } from '../isa/container-types.js';
import { fieldMax, WORD_BITS } from '../isa/table.js';
import type { Placed, PsumSpec, Routed, SendSpec } from './ir.js';
import { FitError } from './fit-error.js';

/** Bits of an axon / spike word (the ISA's word). */
const WORD = WORD_BITS;

export function routeModel(pl: Placed, chip: ChipConfig, file = pl.meta.name): Routed {
  const srcs = pl.sources;
  const tasks = pl.tasks;
  const layers = new Map(pl.layers.map((l) => [l.name, l]));
  const routes: Record<number, RouteDest[][]> = {};
  const sends: Record<number, SendSpec[]> = {};
  const psums: Record<number, PsumSpec[]> = {};
  const ownersOf = new Map<string, number[]>();
  for (const t of tasks) {
    if (t.role !== 'owner') continue;
    const arr = ownersOf.get(t.layer) ?? [];
    arr.push(t.id);
    ownersOf.set(t.layer, arr);
  }
  // sender task -> "rn,n" -> destinations
  const groups = new Map<number, Map<string, { rn: number; n: number; g: number; cw: number; dests: RouteDest[] }>>();
  for (const c of pl.cores) {
    for (const r of c.regions) {
      const src = srcs[r.source]!;
      if (src.isInput) continue;
      for (const tid of ownersOf.get(r.source) ?? []) {
        const t = tasks[tid]!;
        const s = Math.max(r.lo, t.u0);
        const e = Math.min(r.hi, t.u1);
        if (s >= e) continue;
        const nb = pl.placed[tid]!.neuronBase;
        let spec: { rn: number; n: number; g: number; cw: number };
        let dest: RouteDest;
        const flags = r.recurrent ? ROUTE_NEXT_STEP : 0;
        if (src.layout === 'pos') {
          // A channel group [c0, c1) packs its channels at bit c0 of each position's words (bit
          // c0 - ch0 in a channel-shifted region holding channels [ch0, ch1) only).
          const g = t.c1 - t.c0;
          const npu = src.W * g;
          let off = t.c0;
          let cw = src.cw;
          if (r.ch) {
            if (t.c1 <= r.ch[0] || t.c0 >= r.ch[1]) continue;
            if (t.c0 < r.ch[0] || t.c1 > r.ch[1]) {
              throw new FitError(`${file}: layer ${r.source}: channel group ${t.c0}..${t.c1 - 1} straddles the channel-shifted shortcut region ${r.ch[0]}..${r.ch[1] - 1} of core ${c.core}`);
            }
            off = t.c0 - r.ch[0];
            cw = r.cw!;
          }
          spec = { rn: nb + (s - t.u0) * npu, n: (e - s) * npu, g, cw };
          dest = { core: c.core, base: r.base + (s - r.lo) * src.W * cw + Math.floor(off / WORD), flags, bitOffset: off % WORD };
        } else {
          spec = { rn: nb + (s - t.u0), n: e - s, g: WORD, cw: 1 };
          dest = { core: c.core, base: r.base + Math.floor((s - r.lo) / WORD), flags, bitOffset: (s - r.lo) % WORD };
        }
        const m = groups.get(tid) ?? new Map();
        groups.set(tid, m);
        // One SEND per (neurons, group, stride): a full-channel region (cw = the source's words per
        // position) and a channel-shifted one (cw = the group's) of the same neurons need two lists.
        const k = `${spec.rn},${spec.n},${spec.g},${spec.cw}`;
        const g = m.get(k) ?? { ...spec, dests: [] };
        g.dests.push(dest);
        m.set(k, g);
      }
    }
  }
  const listOn = (core: number, dests: RouteDest[]): number => {
    const arr = (routes[core] ??= []);
    arr.push(dests);
    return arr.length - 1;
  };
  for (const t of tasks) {
    const core = pl.placed[t.id]!.core;
    if (t.role === 'owner') {
      const m = groups.get(t.id);
      sends[t.id] = m ? [...m.values()].map((g) => ({ rn: g.rn, n: g.n, g: g.g, cw: g.cw, route: listOn(core, g.dests) })) : [];
    } else {
      const l = layers.get(t.layer)!;
      const own = pl.placed[t.owner]!;
      const banks = [...new Set(t.parts.map((p) => l.synapses[p.synapse]!.acc))].sort();
      psums[t.id] = banks.map((acc) => ({
        acc,
        rn: pl.placed[t.id]!.neuronBase,
        n: t.neurons,
        route: listOn(core, [{ core: own.core, base: own.neuronBase, flags: acc === 1 ? ROUTE_PSUM_ACC1 : 0, bitOffset: 0 }]),
      }));
    }
  }
  for (const [core, lists] of Object.entries(routes)) {
    const entries = lists.reduce((a, l) => a + l.length, 0);
    if (entries > chip.routeEntries) {
      throw new FitError(`${file}: core ${core} needs ${entries} routing-table entries, chip has routeEntries = ${chip.routeEntries} (raise routeEntries)`);
    }
    const maxLists = fieldMax('SEND', 'route') + 1;
    if (lists.length > maxLists) throw new FitError(`${file}: core ${core} needs ${lists.length} routing lists, SEND/PSUM address at most ${maxLists}`);
  }
  return { ...pl, routes, sends, psums };
}
