/**
 * Lowering a parsed NIR graph onto the Graph IR (see docs/nir.md for every rule and formula).
 *
 * - A node with several incoming edges sums them (an Add node `<name>:sum`).
 * - Affine/Linear/Conv2d weights: binary rows ({+c_j, -c_j}) -> binary layers with alpha = c_j,
 *   else k-bit integers with a per-row (or per-layer) scale; a non-zero bias -> Bias `<name>:bias`.
 * - IF/LIF: hard reset to v_reset, fire on v > v_threshold. The input gain (r for IF,
 *   r*dt/tau for LIF) is folded into the feeding synapse's scale when that synapse feeds only
 *   this neuron, else applied by a BatchNorm `<name>:gain` with mean 0, var 1, eps 0, beta 0.
 *   LIF's v_leak arrives as a Bias `<name>:vleak` of (dt/tau)*v_leak, its decay as a shift k or a
 *   12-bit decay d/4096 (leak.ts chooseDecay). CubaLIF: a current-based LIF (synDecay = the
 *   current's 12-bit decay), input gain w_in dt/tau_syn r dt/tau_mem, v_leak must be 0.
 * - LI/I feeding the Output become the Readout; an Output fed by spikes gets a spike-count
 *   readout (identity IntLinear `<output>:count` then a Readout without leak); an Output fed by a
 *   current gets a Readout integrating it.
 * - Recurrent edges: the loop is cut at the spiking node's output, which is read one step late.
 */
import { BwsnnError } from '../../isa/errors.js';
import type { Graph, GraphNode, InputEncoding, LIFNode, NeuronParamsIR } from '../graph.js';
import { validateGraph } from '../validate.js';
import { chooseDecay, chooseLeak, type DecayChoice, type LeakChoice } from './leak.js';
import { DECAY_MAX } from '../../isa/neuron-record.js';
import { NIR_NODE_TYPES, type NirArray, type NirFile, type NirNode } from './parse.js';
import { detectBinary, firstNonFinite, isIdentity, quantize, type LoweredWeights } from './weights.js';

export interface NirImportOptions {
  /** Time steps T of the imported model (NIR carries none); default 4. */
  timesteps?: number;
  /** Time step in seconds for tau -> decay; default 1e-4 (snnTorch's export step). */
  dt?: number;
  /** Default binary with threshold 0.5. */
  inputEncoding?: InputEncoding;
  /** Bits of multi-bit (non-binary) weights; default 8. */
  weightBits?: number;
  /** Scale granularity of multi-bit weights; default 'row'. */
  weightScale?: 'row' | 'layer';
  /** Largest relative error |2^-k - dt/tau| / (dt/tau) accepted for a shift leak; default 0.1. */
  leakTolerance?: number;
  /** Relative tolerance of binary detection; default 1e-6. */
  binaryTolerance?: number;
  /** Graph name; default the file's base name. */
  name?: string;
  /**
   * Reset of IF/LIF: 'nir' (default, NIR's semantics: v = v_reset) or 'subtract' (v -= v_threshold,
   * what Sinabs and snnTorch layers do by default; requires v_reset = 0).
   */
  ifReset?: 'nir' | 'subtract';
}

export const NIR_IMPORT_DEFAULTS = {
  timesteps: 4,
  dt: 1e-4,
  inputEncoding: { kind: 'binary', threshold: 0.5 } as InputEncoding,
  weightBits: 8,
  weightScale: 'row' as 'row' | 'layer',
  leakTolerance: 0.1,
  binaryTolerance: 1e-6,
  ifReset: 'nir' as 'nir' | 'subtract',
};

export interface NirNodeReport {
  nir: string;
  type: string;
  /** How it was lowered, in words. */
  lowering: string;
  irNodes: string[];
}

export interface NirLeakReport {
  /** The NIR node; `<node>:syn` for a CubaLIF's synaptic current. */
  node: string;
  tau: number;
  rate: number;
  /** 'shift' (v -= v * 2^-shift) or 'decay' (v -= v * decay / 4096). */
  kind: 'shift' | 'decay';
  /** Shift k, or 0 for a decay. */
  shift: number;
  /** Decay constant d (1..4096; 0..4096 for a current), or 0 for a shift. */
  decay: number;
  /** The factor used: 2^-shift or decay / 4096. */
  used: number;
  relError: number;
}

export interface NirImportSummary {
  file: string;
  version: string | null;
  timesteps: number;
  dt: number;
  usedDt: boolean;
  encoding: InputEncoding;
  weightBits: number;
  weightScale: 'row' | 'layer';
  nodes: NirNodeReport[];
  binaryLayers: string[];
  multibitLayers: { node: string; bits: number; exactRows: number; rows: number; maxRelError: number }[];
  leaks: NirLeakReport[];
  readout: string;
  notes: string[];
}

type Kind = 'input' | 'spikes' | 'current';
interface Val {
  ir: string;
  kind: Kind;
  shape: number[];
  /** NIR node whose only output this value is (for gain folding), or null. */
  producer: string | null;
  /** A pooled window sum of spikes or of the input: synapses may read it (Graph IR 'pooled'). */
  pooled?: boolean;
}

const SUPPORTED = new Set(['Input', 'Output', 'Identity', 'Affine', 'Linear', 'Conv2d', 'IF', 'LIF', 'CubaLIF', 'I', 'LI', 'Scale', 'Threshold', 'Flatten', 'SumPool2d', 'AvgPool2d']);
const SPIKING = new Set(['IF', 'LIF', 'CubaLIF', 'Threshold']);
const REFUSED: Record<string, string> = {
  CubaLI: 'a current-based leaky integrator has a second state (the synaptic current with its own tau_syn); the readout has one state (CubaLIF is supported)',
  Delay: 'per-connection delays are not supported (only recurrent edges delay, by one step)',
  Conv1d: 'one-dimensional convolutions are not supported (Graph IR convolutions are 2-D over [C, H, W])',
};

const NAME_OK = /^[A-Za-z0-9_.:/-]+$/;

function sizeOf(s: readonly number[]): number {
  return s.reduce((a, b) => a * b, 1);
}

function fmtShape(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

/** Lower a parsed NIR file to a validated Graph plus the import summary. */
export function lowerNir(f: NirFile, options: NirImportOptions = {}): { graph: Graph; summary: NirImportSummary } {
  const o = { ...NIR_IMPORT_DEFAULTS, ...options };
  const file = f.file;
  checkOptions(o);
  const summary: NirImportSummary = {
    file,
    version: f.version,
    timesteps: o.timesteps,
    dt: o.dt,
    usedDt: false,
    encoding: o.inputEncoding,
    weightBits: o.weightBits,
    weightScale: o.weightScale,
    nodes: [],
    binaryLayers: [],
    multibitLayers: [],
    leaks: [],
    readout: '',
    notes: [],
  };
  const byName = new Map<string, NirNode>();
  for (const n of f.nodes) byName.set(n.name, n);
  const where = (n: NirNode): string => `${file}: node ${n.name} (${n.type})`;
  const fail = (n: NirNode, msg: string): never => {
    throw new BwsnnError(`${where(n)}: ${msg}`);
  };

  // Edges -> incoming/outgoing lists.
  const incoming = new Map<string, string[]>();
  const outgoing = new Map<string, string[]>();
  for (const n of f.nodes) {
    incoming.set(n.name, []);
    outgoing.set(n.name, []);
  }
  const seen = new Set<string>();
  for (const [a, b] of f.edges) {
    const key = `${a}\u0000${b}`;
    if (seen.has(key)) throw new BwsnnError(`${file}: edge ${a} -> ${b} appears twice`);
    seen.add(key);
    incoming.get(b)!.push(a);
    outgoing.get(a)!.push(b);
  }

  f = { ...f, nodes: fuseSoftResets(f.nodes, incoming, outgoing, o, summary.notes) };
  byName.clear();
  for (const n of f.nodes) byName.set(n.name, n);
  const tops = (t: string): NirNode[] => f.nodes.filter((n) => n.type === t && !n.passThrough);
  const inputs = tops('Input');
  const outputs = tops('Output');
  if (inputs.length !== 1) throw new BwsnnError(`${file}: expected exactly one Input node, found ${inputs.length}${inputs.length ? ` (${inputs.map((n) => n.name).join(', ')})` : ''}`);
  if (outputs.length !== 1) throw new BwsnnError(`${file}: expected exactly one Output node, found ${outputs.length}${outputs.length ? ` (${outputs.map((n) => n.name).join(', ')})` : ''}`);
  const inputNode = inputs[0]!;
  const outputNode = outputs[0]!;

  // Keep the nodes that reach the Output.
  const keep = new Set<string>();
  const stack = [outputNode.name];
  while (stack.length) {
    const x = stack.pop()!;
    if (keep.has(x)) continue;
    keep.add(x);
    for (const s of incoming.get(x)!) stack.push(s);
  }
  if (!keep.has(inputNode.name)) throw new BwsnnError(`${file}: the Output ${outputNode.name} is not reachable from the Input ${inputNode.name}`);
  for (const n of f.nodes) if (!keep.has(n.name)) summary.notes.push(`node ${n.name} (${n.type}) does not reach the Output: dropped`);
  const nodes = f.nodes.filter((n) => keep.has(n.name));

  // Types first: every refusal names the node and its type.
  for (const n of nodes) {
    if (SUPPORTED.has(n.type)) continue;
    if (REFUSED[n.type]) fail(n, `NIR type ${n.type} cannot be lowered: ${REFUSED[n.type]}`);
    if ((NIR_NODE_TYPES as readonly string[]).includes(n.type)) fail(n, `NIR type ${n.type} cannot be lowered`);
    fail(n, `unknown NIR node type ${JSON.stringify(n.type)} (known: ${NIR_NODE_TYPES.join(', ')})`);
  }
  for (const n of nodes) {
    if (n !== inputNode && incoming.get(n.name)!.length === 0) fail(n, 'has no incoming edge');
    if (n === inputNode && incoming.get(n.name)!.length > 0) fail(n, `the Input has incoming edges (from ${incoming.get(n.name)!.join(', ')})`);
  }
  const spiking = (name: string): boolean => SPIKING.has(byName.get(name)!.type);
  const order = orderNodes(nodes, incoming, spiking, file);
  const position = new Map<string, number>();
  order.forEach((n, i) => position.set(n, i));

  // IR names: the main node of every NIR node is reserved first, aux names avoid them.
  const used = new Set<string>();
  const main = new Map<string, string>();
  for (const n of order) {
    let base = n.replace(/[^A-Za-z0-9_.:/-]/g, '_');
    if (base === '') base = 'node';
    let nm = base;
    for (let i = 2; used.has(nm); i++) nm = `${base}_${i}`;
    used.add(nm);
    main.set(n, nm);
    if (nm !== n) summary.notes.push(`node ${JSON.stringify(n)} renamed ${nm} (Graph IR names are [A-Za-z0-9_.:/-]+)`);
  }
  const aux = (n: NirNode, suffix: string): string => {
    const base = `${main.get(n.name)!}:${suffix}`;
    let nm = base;
    for (let i = 2; used.has(nm); i++) nm = `${base}_${i}`;
    used.add(nm);
    return nm;
  };

  const ir: GraphNode[] = [];
  const irByName = new Map<string, GraphNode>();
  const push = (g: GraphNode): void => {
    if (!NAME_OK.test(g.name)) throw new Error(`internal: bad IR name ${g.name}`);
    ir.push(g);
    irByName.set(g.name, g);
  };
  const vals = new Map<string, Val>();

  const param = (n: NirNode, key: string): NirArray => {
    const p = n.params.get(key);
    if (!p) {
      const s = n.strings.get(key);
      fail(n, s !== undefined ? `parameter ${key} is the string ${JSON.stringify(s)}, expected numbers` : `missing parameter ${key}`);
    }
    const bad = firstNonFinite(p!.data);
    if (bad >= 0) fail(n, `parameter ${key}[${bad}] is ${p!.data[bad]}, expected a finite number`);
    return p!;
  };
  const optParam = (n: NirNode, key: string): NirArray | null => (n.params.has(key) ? param(n, key) : null);
  const intScalar = (n: NirNode, key: string, dflt: number | null): number => {
    if (!n.params.has(key) && dflt !== null) return dflt;
    const p = param(n, key);
    if (p.data.length !== 1 || !Number.isInteger(p.data[0])) fail(n, `parameter ${key}: expected one integer, got ${fmtShape(p.shape)} ${Array.from(p.data.slice(0, 4)).join(', ')}`);
    return p.data[0]!;
  };
  const pair = (n: NirNode, key: string, dflt: [number, number] | null, min: number): [number, number] => {
    if (!n.params.has(key) && dflt) return dflt;
    const p = param(n, key);
    let r: [number, number];
    if (p.data.length === 1) r = [p.data[0]!, p.data[0]!];
    else if (p.data.length === 2) r = [p.data[0]!, p.data[1]!];
    else return fail(n, `parameter ${key}: expected one or two integers, got shape ${fmtShape(p.shape)}`);
    if (!Number.isInteger(r[0]) || !Number.isInteger(r[1]) || r[0] < min || r[1] < min) fail(n, `parameter ${key}: expected integers >= ${min}, got ${r.join(', ')}`);
    return r;
  };
  /** A per-neuron parameter: size 1 or n (kept as given). */
  const perNeuron = (n: NirNode, key: string, count: number, dflt: number | null): Float64Array => {
    if (!n.params.has(key) && dflt !== null) return Float64Array.of(dflt);
    const p = param(n, key);
    if (p.data.length !== 1 && p.data.length !== count) fail(n, `parameter ${key} has shape ${fmtShape(p.shape)} (${p.data.length} values) for ${count} neurons`);
    return compress(p.data);
  };

  const valOf = (n: NirNode, src: string): Val => {
    const v = vals.get(src);
    if (v) return v;
    // A recurrent edge: the source is a spiking node lowered later; its value is read one step late.
    const s = byName.get(src)!;
    if (!spiking(src)) fail(n, `internal: edge from ${src} not ordered`);
    return { ir: main.get(src)!, kind: 'spikes', shape: neuronShape(s), producer: null };
  };
  const neuronShape = (s: NirNode): number[] => {
    const p = s.params.get(s.type === 'Threshold' ? 'threshold' : 'v_threshold');
    if (p && p.shape.length > 0) return [...p.shape];
    return fail(s, 'read through a recurrent edge but its size is not given by its parameters');
  };
  const gather = (n: NirNode, report: string[]): Val => {
    const srcs = incoming.get(n.name)!;
    const vs = srcs.map((s) => valOf(n, s));
    if (vs.length === 1) return vs[0]!;
    for (const v of vs) {
      if (sizeOf(v.shape) !== sizeOf(vs[0]!.shape) || v.shape.length !== vs[0]!.shape.length || v.shape.some((d, i) => d !== vs[0]!.shape[i])) {
        fail(n, `incoming edges carry different shapes: ${srcs.map((s, i) => `${s} ${fmtShape(vs[i]!.shape)}`).join(', ')}`);
      }
    }
    const name = aux(n, 'sum');
    push({ op: 'add', name, inputs: vs.map((v) => v.ir) });
    report.push(`sum of ${srcs.length} incoming edges -> add ${name}`);
    return { ir: name, kind: 'current', shape: [...vs[0]!.shape], producer: null };
  };

  /** Multiply the current `x` by a per-element gain (folded into its synapse when possible). */
  const applyGain = (n: NirNode, x: Val, gain: Float64Array, report: string[]): Val => {
    if (gain.every((g) => g === 1)) return x;
    const shape = x.shape;
    const count = sizeOf(shape);
    let perC: Float64Array;
    if (gain.length === 1) perC = gain;
    else {
      const C = shape.length > 1 ? shape[0]! : count;
      const inner = count / C;
      perC = new Float64Array(C);
      for (let c = 0; c < C; c++) {
        perC[c] = gain[c * inner]!;
        for (let i = 1; i < inner; i++) {
          if (gain[c * inner + i] !== perC[c]) fail(n, `the input gain varies within channel ${c} of ${fmtShape(shape)}; only per-channel gains are supported`);
        }
      }
      perC = compress(perC);
    }
    const at = (c: number): number => (perC.length === 1 ? perC[0]! : perC[c]!);
    const prod = x.producer !== null ? x.producer : null;
    const solo = prod !== null && outgoing.get(prod)!.length === 1 && incoming.get(n.name)!.length === 1;
    if (x.kind === 'current' && solo) {
      let node = irByName.get(x.ir)!;
      let bias: Float64Array | null = null;
      if (node.op === 'bias') {
        bias = node.bias;
        node = irByName.get(node.input)!;
      }
      if (node.op === 'binary_linear' || node.op === 'binary_conv2d' || node.op === 'linear' || node.op === 'conv2d') {
        const s = node.op === 'binary_linear' || node.op === 'binary_conv2d' ? node.alpha : node.scale;
        for (let c = 0; c < s.length; c++) s[c] = s[c]! * at(c);
        if (bias) {
          const per = bias.length === s.length ? 1 : bias.length / s.length;
          for (let i = 0; i < bias.length; i++) bias[i] = bias[i]! * at(Math.floor(i / per));
        }
        report.push(`input gain ${describe(perC)} folded into the scale of ${node.name}`);
        return x;
      }
    }
    if (x.kind !== 'current') fail(n, `needs an input gain ${describe(perC)} but its input ${x.ir} is ${x.kind === 'input' ? 'the encoded input' : 'spikes'}, not a current`);
    const name = aux(n, 'gain');
    const C = perC.length === 1 ? (shape.length > 1 ? shape[0]! : count) : perC.length;
    const gamma = new Float64Array(C);
    for (let c = 0; c < C; c++) gamma[c] = at(c);
    push({ op: 'batchnorm', name, input: x.ir, gamma, beta: new Float64Array(C), mean: new Float64Array(C), var: new Float64Array(C).fill(1), eps: 0 });
    report.push(`input gain ${describe(perC)} as batchnorm ${name} (mean 0, var 1, eps 0)`);
    return { ir: name, kind: 'current', shape: [...shape], producer: null };
  };

  const addBias = (n: NirNode, x: Val, bias: Float64Array, suffix: string, what: string, report: string[]): Val => {
    if (bias.every((b) => b === 0)) return x;
    const name = aux(n, suffix);
    push({ op: 'bias', name, input: x.ir, bias: compressBias(bias, x.shape) });
    report.push(`${what} -> bias ${name}`);
    return { ir: name, kind: 'current', shape: [...x.shape], producer: x.producer };
  };

  const lowerWeights = (n: NirNode, w: Float64Array, rows: number, rowLen: number, report: string[]): LoweredWeights => {
    const b = detectBinary(w, rows, rowLen, o.binaryTolerance);
    if (b) {
      summary.binaryLayers.push(n.name);
      report.push(`binary weights detected (every row +-c_j), alpha = c_j in [${fmtNum(Math.min(...b.alpha))}, ${fmtNum(Math.max(...b.alpha))}]`);
      return b;
    }
    const q = quantize(w, rows, rowLen, o.weightBits, o.weightScale);
    summary.multibitLayers.push({ node: n.name, bits: q.bits, exactRows: q.exactRows, rows, maxRelError: q.maxRelError });
    report.push(
      `${q.bits}-bit weights, per-${o.weightScale} scale, ${q.exactRows}/${rows} rows exact, max error ${(q.maxRelError * 100).toFixed(3)}% of max|W|`,
    );
    return q;
  };

  /**
   * The discrete-step dynamics of an IF/LIF/I/LI node: input gain r (times dt/tau when leaky), the
   * shift leak chosen for dt/tau, and the v_leak term (dt/tau)*v_leak (null when not leaky).
   */
  const dynamics = (
    n: NirNode,
    name: string,
    count: number,
    leaky: boolean,
    badR: string,
  ): { gain: Float64Array; leak: number; decay: number | undefined; vleak: Float64Array | null; lk: LeakChoice | null; dc: DecayChoice | null } => {
    const r = perNeuron(n, 'r', count, null);
    if (r.some((v) => !(v > 0))) fail(n, badR);
    if (!leaky) return { gain: r, leak: 0, decay: undefined, vleak: null, lk: null, dc: null };
    const cuba = n.type === 'CubaLIF';
    const tau = perNeuron(n, cuba ? 'tau_mem' : 'tau', count, null);
    summary.usedDt = true;
    const rate = tau.map((t) => o.dt / t);
    const vleak = mulBroadcast(perNeuron(n, 'v_leak', count, 0), rate);
    if (n.type === 'LI') {
      // The readout keeps the shift leak (the Graph IR readout has no decay constant).
      const lk = chooseLeak(tau, o.dt, o.leakTolerance, where(n));
      summary.leaks.push({ node: name, tau: tau[0]!, rate: lk.rate, kind: 'shift', shift: lk.k, decay: 0, used: 2 ** -lk.k, relError: lk.relError });
      return { gain: mulBroadcast(r, rate), leak: lk.k, decay: undefined, vleak, lk, dc: null };
    }
    // LIF and CubaLIF: the shift when it is as close, else the 12-bit multiplicative decay.
    const dc = chooseDecay(tau, o.dt, o.leakTolerance, where(n));
    summary.leaks.push({ node: name, tau: tau[0]!, rate: dc.rate, kind: dc.kind, shift: dc.k, decay: dc.d, used: dc.used, relError: dc.relError });
    return { gain: mulBroadcast(r, rate), leak: dc.k, decay: dc.kind === 'decay' ? dc.d : undefined, vleak, lk: null, dc };
  };

  /**
   * A CubaLIF's synaptic current: tau_syn dI/dt = -I + w_in x becomes i -= i * d / 4096,
   * i += (dt/tau_syn) w_in x, with d = round(4096 dt/tau_syn) (0..4096; no shift form). Its input
   * gain (dt/tau_syn) w_in is returned; the current enters v with unit weight, so the membrane's
   * r dt/tau_mem joins the input gain too (the model is linear in i).
   */
  const synapticCurrent = (n: NirNode, name: string, count: number): { gain: Float64Array; synDecay: number; rel: number; rate: number } => {
    const tauS = perNeuron(n, 'tau_syn', count, null);
    const wIn = perNeuron(n, 'w_in', count, 1);
    if (wIn.some((v) => !(v > 0))) fail(n, 'w_in must be > 0');
    let d = -1;
    let rel = 0;
    for (let i = 0; i < tauS.length; i++) {
      const t = tauS[i]!;
      if (!(t > 0) || !Number.isFinite(t)) fail(n, `tau_syn[${i}] = ${t}: a time constant must be a positive number of seconds`);
      const rate = o.dt / t;
      if (rate > 1) fail(n, `dt/tau_syn = ${fmtNum(rate)} exceeds 1: the current's decay 1 - dt/tau_syn would be negative; use a smaller --dt`);
      const di = Math.round(rate * DECAY_MAX);
      const e = Math.abs(di / DECAY_MAX - rate) / rate;
      if (e > o.leakTolerance) fail(n, `dt/tau_syn = ${fmtNum(rate)} is ${(e * 100).toFixed(1)}% from the nearest decay ${di}/4096 (tolerance ${(o.leakTolerance * 100).toFixed(1)}%); use a larger --dt or --leak-tolerance`);
      if (d === -1) d = di;
      else if (di !== d) fail(n, `synaptic time constants differ across neurons (tau_syn[0] gives decay ${d}/4096, tau_syn[${i}] = ${t} gives ${di}/4096); one per layer is supported`);
      rel = Math.max(rel, e);
    }
    const rate = o.dt / tauS[0]!;
    summary.leaks.push({ node: `${name}:syn`, tau: tauS[0]!, rate, kind: 'decay', shift: 0, decay: d, used: d / DECAY_MAX, relError: rel });
    return { gain: mulBroadcast(wIn, tauS.map((t) => o.dt / t)), synDecay: d, rel, rate };
  };

  const neuronInput = (n: NirNode, report: string[]): { x: Val; count: number } => {
    const x = gather(n, report);
    return { x, count: sizeOf(x.shape) };
  };

  let readoutDone = false;
  for (const name of order) {
    const n = byName.get(name)!;
    const report: string[] = [];
    const first = ir.length;
    const nm = main.get(name)!;
    switch (n.type) {
      case 'Input': {
        if (n.passThrough) {
          vals.set(name, { ...gather(n, report), producer: null });
          report.push('nested graph input: pass-through');
          break;
        }
        const p = n.params.get('shape') ?? n.params.get('input_type/input') ?? n.params.get('input_type');
        if (!p) fail(n, 'missing parameter shape (or input_type/input)');
        const shape = Array.from(p!.data);
        if (shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 1)) fail(n, `shape ${fmtShape(shape)}: expected positive integers`);
        if (shape.length !== 1 && shape.length !== 3) fail(n, `shape ${fmtShape(shape)}: expected [N] or [C, H, W]`);
        push({ op: 'input', name: nm, shape, encoding: o.inputEncoding });
        vals.set(name, { ir: nm, kind: 'input', shape, producer: null });
        report.push(`input ${fmtShape(shape)}, encoding ${encodingText(o.inputEncoding)}`);
        break;
      }
      case 'Identity': {
        vals.set(name, { ...gather(n, report), producer: null });
        report.push('identity: pass-through');
        break;
      }
      case 'Output': {
        if (n.passThrough) {
          vals.set(name, { ...gather(n, report), producer: null });
          report.push('nested graph output: pass-through');
          break;
        }
        const srcs = incoming.get(name)!;
        const declared = n.params.get('shape') ?? n.params.get('output_type/output') ?? n.params.get('output_type');
        if (readoutDone) {
          report.push(`output of the readout ${vals.get(srcs[0]!)!.ir}`);
          checkOutShape(n, declared, vals.get(srcs[0]!)!.shape, report, fail);
          break;
        }
        const x = gather(n, report);
        checkOutShape(n, declared, x.shape, report, fail);
        if (x.shape.length !== 1) fail(n, `the Output is fed a ${fmtShape(x.shape)} value; the readout must be flat (add a Flatten)`);
        let cur = x;
        if (x.kind === 'input') fail(n, 'the Output is fed directly by the Input');
        if (x.kind === 'spikes') {
          const cnt = aux(n, 'count');
          const size = x.shape[0]!;
          const weight = new Int32Array(size * size);
          for (let i = 0; i < size; i++) weight[i * size + i] = 1;
          push({ op: 'linear', name: cnt, input: x.ir, inFeatures: size, outFeatures: size, bits: 2, weight, scale: new Float64Array(size).fill(1) });
          cur = { ir: cnt, kind: 'current', shape: [size], producer: null };
          summary.readout = `spike count of ${x.ir} over the T steps (readout ${nm} fed by the identity IntLinear ${cnt}); prediction = most spikes, ties to the lowest index`;
          report.push(`fed by spikes: readout = spike count (identity linear ${cnt}, readout ${nm} without leak)`);
        } else {
          summary.readout = `sum over the T steps of the current ${x.ir} (readout ${nm} without leak)`;
          report.push(`fed by a current: readout ${nm} integrates it without leak`);
        }
        push({ op: 'readout', name: nm, input: cur.ir, leak: 0 });
        break;
      }
      case 'Affine':
      case 'Linear': {
        const x = gather(n, report);
        const wp = param(n, 'weight');
        if (wp.shape.length !== 2) fail(n, `weight has shape ${fmtShape(wp.shape)}, expected [out, in]`);
        const [rows, cols] = wp.shape as [number, number];
        if (sizeOf(x.shape) !== cols) fail(n, `weight ${fmtShape(wp.shape)} expects ${cols} inputs, its input ${x.ir} has shape ${fmtShape(x.shape)}`);
        if (x.shape.length !== 1) fail(n, `input ${x.ir} has shape ${fmtShape(x.shape)}; a dense layer takes a flat input (add a Flatten)`);
        let bias: Float64Array | null = null;
        if (n.type === 'Affine') {
          const bp = param(n, 'bias');
          if (bp.data.length !== rows) fail(n, `bias has ${bp.data.length} values for ${rows} outputs`);
          bias = bp.data;
        }
        let v: Val;
        if (x.kind === 'current' && !x.pooled) {
          if (!isIdentity(wp.data, rows, cols)) fail(n, `its input ${x.ir} is a current; Graph IR synapses take spikes or the input (a neuron is needed between two weight layers)`);
          report.push('identity weight on a current: no synapse');
          v = x;
        } else if (isIdentity(wp.data, rows, cols)) {
          // Exactly the identity (how a spike-count readout is exported): a 2-bit identity IntLinear.
          const weight = new Int32Array(rows * cols);
          for (let i = 0; i < rows; i++) weight[i * cols + i] = 1;
          push({ op: 'linear', name: nm, input: x.ir, inFeatures: cols, outFeatures: rows, bits: 2, weight, scale: new Float64Array(rows).fill(1) });
          report.push('identity weights: 2-bit identity linear');
          v = { ir: nm, kind: 'current', shape: [rows], producer: name };
        } else {
          const lw = lowerWeights(n, wp.data, rows, cols, report);
          if (lw.kind === 'binary') push({ op: 'binary_linear', name: nm, input: x.ir, inFeatures: cols, outFeatures: rows, weightBits: lw.bits, alpha: lw.alpha });
          else push({ op: 'linear', name: nm, input: x.ir, inFeatures: cols, outFeatures: rows, bits: lw.bits, weight: lw.weight, scale: lw.scale });
          v = { ir: nm, kind: 'current', shape: [rows], producer: name };
        }
        if (bias) v = addBias(n, v, bias, 'bias', 'Affine bias', report);
        // A value passed through from upstream stays foldable only through this node's own out-degree.
        const passProducer = x.producer !== null && outgoing.get(x.producer)!.length === 1 ? name : null;
        vals.set(name, { ...v, producer: v.ir === x.ir ? passProducer : v.kind === 'current' ? name : null });
        break;
      }
      case 'Conv2d': {
        const x = gather(n, report);
        const wp = param(n, 'weight');
        if (wp.shape.length !== 4) fail(n, `weight has shape ${fmtShape(wp.shape)}, expected [C_out, C_in, kH, kW]`);
        const [cout, cin, kh, kw] = wp.shape as [number, number, number, number];
        const groups = intScalar(n, 'groups', 1);
        if (groups !== 1) fail(n, `groups = ${groups}: grouped convolutions are not supported`);
        const dil = pair(n, 'dilation', [1, 1], 1);
        if (dil[0] !== 1 || dil[1] !== 1) fail(n, `dilation ${dil.join(', ')}: only dilation 1 is supported`);
        const stride = pair(n, 'stride', [1, 1], 1);
        let padding: [number, number];
        const ps = n.strings.get('padding');
        if (ps !== undefined) {
          if (ps === 'valid') padding = [0, 0];
          else if (ps === 'same' && stride[0] === 1 && stride[1] === 1 && kh % 2 === 1 && kw % 2 === 1) padding = [(kh - 1) / 2, (kw - 1) / 2];
          else return fail(n, `padding ${JSON.stringify(ps)} with stride ${stride.join(', ')} and kernel ${kh}x${kw}: only 'valid', or 'same' with stride 1 and odd kernels, are supported`);
        } else padding = pair(n, 'padding', [0, 0], 0);
        if (x.shape.length !== 3) fail(n, `input ${x.ir} has shape ${fmtShape(x.shape)}, expected [C, H, W]`);
        if (x.shape[0] !== cin) fail(n, `weight ${fmtShape(wp.shape)} expects ${cin} input channels, input ${x.ir} has shape ${fmtShape(x.shape)}`);
        const is = n.params.get('input_shape');
        if (is && (is.data.length !== 2 || is.data[0] !== x.shape[1] || is.data[1] !== x.shape[2])) {
          fail(n, `input_shape ${fmtShape(Array.from(is.data))} does not match the incoming ${fmtShape(x.shape)}`);
        }
        const oh = Math.floor((x.shape[1]! + 2 * padding[0] - kh) / stride[0]) + 1;
        const ow = Math.floor((x.shape[2]! + 2 * padding[1] - kw) / stride[1]) + 1;
        if (oh < 1 || ow < 1) fail(n, `kernel ${kh}x${kw} with padding ${padding.join(', ')} does not fit the ${x.shape[1]}x${x.shape[2]} input`);
        const bp = optParam(n, 'bias');
        if (x.kind === 'current' && !x.pooled) {
          // An identity 1x1 convolution on a current (how a per-channel bias is exported) is just its bias.
          if (cout === cin && kh === 1 && kw === 1 && stride[0] === 1 && stride[1] === 1 && padding[0] === 0 && padding[1] === 0 && isIdentity(wp.data, cout, cin)) {
            report.push('identity 1x1 convolution on a current: no synapse');
            const v = bp ? addBias(n, x, bp.data, 'bias', 'Conv2d bias', report) : x;
            vals.set(name, v);
            break;
          }
          fail(n, `its input ${x.ir} is a current; Graph IR synapses take spikes or the input (a neuron is needed between two weight layers)`);
        }
        if (bp && bp.data.length !== cout) fail(n, `bias has ${bp.data.length} values for ${cout} output channels`);
        const lw = lowerWeights(n, wp.data, cout, cin * kh * kw, report);
        const geo = { inChannels: cin, outChannels: cout, kernel: [kh, kw] as [number, number], stride, padding };
        if (lw.kind === 'binary') push({ op: 'binary_conv2d', name: nm, input: x.ir, ...geo, weightBits: lw.bits, alpha: lw.alpha });
        else push({ op: 'conv2d', name: nm, input: x.ir, ...geo, bits: lw.bits, weight: lw.weight, scale: lw.scale });
        report.push(`conv ${cin}->${cout} ${kh}x${kw} stride ${stride.join(',')} padding ${padding.join(',')} -> [${cout}, ${oh}, ${ow}]`);
        let v: Val = { ir: nm, kind: 'current', shape: [cout, oh, ow], producer: name };
        if (bp) v = addBias(n, v, bp.data, 'bias', 'Conv2d bias', report);
        vals.set(name, { ...v, producer: name });
        break;
      }
      case 'SumPool2d':
      case 'AvgPool2d': {
        const x = gather(n, report);
        if (x.shape.length !== 3) fail(n, `input ${x.ir} has shape ${fmtShape(x.shape)}, expected [C, H, W]`);
        const kernel = pair(n, 'kernel_size', null, 1);
        const stride = pair(n, 'stride', kernel, 1);
        const padding = pair(n, 'padding', [0, 0], 0);
        const oh = Math.floor((x.shape[1]! + 2 * padding[0] - kernel[0]) / stride[0]) + 1;
        const ow = Math.floor((x.shape[2]! + 2 * padding[1] - kernel[1]) / stride[1]) + 1;
        if (oh < 1 || ow < 1) fail(n, `kernel ${kernel.join('x')} does not fit the ${x.shape[1]}x${x.shape[2]} input`);
        push({ op: n.type === 'SumPool2d' ? 'sumpool' : 'avgpool', name: nm, input: x.ir, kernel, stride, padding });
        report.push(`${n.type === 'SumPool2d' ? 'sum' : 'average'} pool ${kernel.join('x')} stride ${stride.join(',')} -> [${x.shape[0]}, ${oh}, ${ow}]`);
        vals.set(name, { ir: nm, kind: 'current', shape: [x.shape[0]!, oh, ow], producer: null, pooled: x.kind !== 'current' || x.pooled === true });
        break;
      }
      case 'Flatten': {
        const x = gather(n, report);
        const it = n.params.get('input_type') ?? n.params.get('input_type/input');
        if (it && (it.data.length !== x.shape.length || Array.from(it.data).some((d, i) => d !== x.shape[i]))) {
          fail(n, `input_type ${fmtShape(Array.from(it.data))} does not match the incoming ${fmtShape(x.shape)}`);
        }
        const r = x.shape.length;
        let s = intScalar(n, 'start_dim', 1);
        let e = intScalar(n, 'end_dim', -1);
        if (s < 0) s += r;
        if (e < 0) e += r;
        if (s < 0 || e >= r || s > e) {
          if (!(r === 1 && s <= 1)) fail(n, `start_dim ${intScalar(n, 'start_dim', 1)}, end_dim ${intScalar(n, 'end_dim', -1)} do not fit the ${fmtShape(x.shape)} input`);
        }
        const outShape = r === 1 ? [...x.shape] : [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
        if (outShape.length !== 1) fail(n, `flattening dims ${s}..${e} of ${fmtShape(x.shape)} gives ${fmtShape(outShape)}; only flattening to one dimension is supported`);
        if (r === 1) {
          vals.set(name, { ...x, producer: null });
          report.push('already flat: pass-through');
        } else {
          push({ op: 'flatten', name: nm, input: x.ir });
          vals.set(name, { ir: nm, kind: x.kind, shape: outShape, producer: null, pooled: x.pooled });
          report.push(`flatten ${fmtShape(x.shape)} -> ${fmtShape(outShape)}`);
        }
        break;
      }
      case 'Scale': {
        const x = gather(n, report);
        const sp = param(n, 'scale');
        if (sp.data.length !== 1 && sp.data.length !== sizeOf(x.shape)) fail(n, `scale has ${sp.data.length} values for the ${fmtShape(x.shape)} input`);
        if (x.kind !== 'current') fail(n, `its input ${x.ir} is ${x.kind === 'input' ? 'the encoded input' : 'spikes'}; Scale is lowered onto a current`);
        const v = applyGain(n, x, sp.data, report);
        vals.set(name, { ...v, producer: v.ir === x.ir && x.producer !== null && outgoing.get(x.producer)!.length === 1 ? name : null });
        break;
      }
      case 'Threshold': {
        const x = gather(n, report);
        const th = perNeuron(n, 'threshold', sizeOf(x.shape), null);
        push({ op: 'threshold', name: nm, input: x.ir, threshold: th, fireOn: 'gt' });
        vals.set(name, { ir: nm, kind: 'spikes', shape: [...x.shape], producer: null });
        report.push(`threshold: spike = x > ${describe(th)}`);
        break;
      }
      case 'IF':
      case 'LIF':
      case 'CubaLIF': {
        const { x, count } = neuronInput(n, report);
        const thr = perNeuron(n, 'v_threshold', count, null);
        const vReset = n.softReset ? Float64Array.of(0) : perNeuron(n, 'v_reset', count, 0);
        if (n.softReset) report.push(`fused from ${n.softReset.from.join(' -> ')} (an integrator, a Threshold and its spikes fed back through Scale(-a*theta) one step late): soft reset`);
        const cuba = n.type === 'CubaLIF';
        const dyn = dynamics(n, name, count, n.type !== 'IF', 'r must be > 0 (a zero or negative resistance cannot be lowered)');
        const { leak, decay, vleak, dc } = dyn;
        let gain = dyn.gain;
        if (dc) report.push(`leak: dt/tau${cuba ? '_mem' : ''} = ${fmtNum(dc.rate)} -> ${dc.kind === 'shift' ? `shift ${dc.k} (decay 1-2^-${dc.k} = ${fmtNum(1 - dc.used)}` : `decay ${dc.d}/4096 (1-${dc.d}/4096 = ${fmtNum(1 - dc.used)}`}, error ${(dc.relError * 100).toFixed(2)}%)`);
        let synDecay: number | undefined;
        if (cuba) {
          if (vleak && vleak.some((v) => v !== 0)) fail(n, `v_leak = ${describe(perNeuron(n, 'v_leak', count, 0))}: a CubaLIF's v_leak enters the membrane, not the current, and the neuron's bias feeds the current; only v_leak = 0 is supported`);
          const sc = synapticCurrent(n, name, count);
          synDecay = sc.synDecay;
          gain = mulBroadcast(gain, sc.gain);
          report.push(`synaptic current: dt/tau_syn = ${fmtNum(sc.rate)} -> decay ${sc.synDecay}/4096 (error ${(sc.rel * 100).toFixed(2)}%); input gain w_in*dt/tau_syn*r*dt/tau_mem = ${describe(gain)} (the current enters v with weight 1)`);
        }
        const xg = applyGain(n, x, expand(gain, count), report);
        const xb = vleak && !cuba ? addBias(n, xg, expand(vleak, count), 'vleak', `v_leak term (dt/tau)*v_leak = ${describe(vleak)}`, report) : xg;
        const subtract = !n.softReset && o.ifReset === 'subtract';
        if (subtract && vReset.some((v) => v !== 0)) fail(n, `--if-reset subtract needs v_reset = 0, found ${describe(vReset)}`);
        const params: NeuronParamsIR = n.softReset
          ? { threshold: thr, vReset, reset: 'soft', fireOn: n.softReset.fireOn }
          : { threshold: thr, vReset, reset: subtract ? 'soft' : 'hard', fireOn: 'gt' };
        if (n.type === 'IF') push({ op: 'if', name: nm, input: xb.ir, ...params });
        else {
          const lif: LIFNode = { op: 'lif', name: nm, input: xb.ir, ...params, leak };
          if (decay !== undefined) lif.decay = decay;
          if (synDecay !== undefined) lif.synDecay = synDecay;
          push(lif);
        }
        vals.set(name, { ir: nm, kind: 'spikes', shape: [...x.shape], producer: null });
        if (n.softReset) report.push(`${n.type === 'IF' ? 'if' : 'lif'}: fire when v ${n.softReset.fireOn === 'ge' ? '>=' : '>'} ${describe(thr)}, then v -= threshold (soft reset)`);
        else if (subtract) report.push(`${n.type === 'IF' ? 'if' : 'lif'}: fire when v > ${describe(thr)}, then v -= threshold (--if-reset subtract, not NIR's reset)`);
        else report.push(`${n.type === 'IF' ? 'if' : 'lif'}: fire when v > ${describe(thr)}, then v = ${describe(vReset)} (hard reset)`);
        break;
      }
      case 'I':
      case 'LI': {
        const outs = outgoing.get(name)!;
        if (outs.length !== 1 || outs[0] !== outputNode.name || incoming.get(outputNode.name)!.length !== 1) {
          fail(n, `${n.type} never fires: it is supported only as the readout, feeding the Output ${outputNode.name} alone (it feeds ${outs.join(', ')})`);
        }
        const { x, count } = neuronInput(n, report);
        if (x.shape.length !== 1) fail(n, `the readout is fed a ${fmtShape(x.shape)} value; it must be flat (add a Flatten)`);
        let cur = x;
        if (x.kind !== 'current') {
          if (x.kind === 'input') fail(n, 'the readout is fed directly by the Input');
          const cnt = aux(n, 'count');
          const weight = new Int32Array(count * count);
          for (let i = 0; i < count; i++) weight[i * count + i] = 1;
          push({ op: 'linear', name: cnt, input: x.ir, inFeatures: count, outFeatures: count, bits: 2, weight, scale: new Float64Array(count).fill(1) });
          cur = { ir: cnt, kind: 'current', shape: [count], producer: name };
          report.push(`fed by spikes: identity linear ${cnt} turns them into a current`);
        }
        const { gain, leak, vleak, lk } = dynamics(n, name, count, n.type === 'LI', 'r must be > 0');
        if (lk) report.push(`leak: dt/tau = ${fmtNum(lk.rate)} -> shift ${lk.k} (error ${(lk.relError * 100).toFixed(2)}%)`);
        const xg = applyGain(n, cur, expand(gain, count), report);
        const xb = vleak ? addBias(n, xg, expand(vleak, count), 'vleak', `v_leak term (dt/tau)*v_leak`, report) : xg;
        push({ op: 'readout', name: nm, input: xb.ir, leak });
        vals.set(name, { ir: nm, kind: 'current', shape: [count], producer: null });
        summary.readout = `${n.type} ${name}: readout ${nm} ${leak ? `with leak shift ${leak}` : 'without leak'}; prediction = argmax of its v after T steps`;
        report.push(`readout ${nm}${leak ? ` (leak shift ${leak})` : ' (pure integrator)'}`);
        readoutDone = true;
        break;
      }
      default:
        fail(n, `internal: unhandled type ${n.type}`);
    }
    summary.nodes.push({ nir: name, type: n.type, lowering: report.join('; '), irNodes: ir.slice(first).map((g) => g.name) });
  }

  const base = (o.name ?? file.split('/').pop()!.replace(/\.nir$/i, '')).replace(/[^A-Za-z0-9_.:/-]/g, '_') || 'nir';
  const graph: Graph = {
    name: base,
    timesteps: o.timesteps,
    nodes: ir,
    meta: {
      source: 'nir',
      nirFile: file.split('/').pop()!,
      nirVersion: f.version ?? 'none',
      dt: o.dt,
      weightBits: o.weightBits,
      readout: summary.readout,
    },
  };
  validateGraph(graph, file);
  return { graph, summary };
}

/** Smallest double above x. */
function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  const b = dv.getBigUint64(0);
  dv.setBigUint64(0, x > 0 ? b + 1n : b - 1n);
  return dv.getFloat64(0);
}

/**
 * Soft reset in NIR (how `bwsnn export` writes it): an integrator X (I, or LI), a Threshold T fed
 * only by X and feeding X back through a Scale R of -a*theta (a = X's decay), one step late. The
 * loop is fused into one IF (LIF for LI) named T with reset 'soft'; fireOn 'ge' when T's threshold
 * is the largest double below the subtracted theta.
 */
function fuseSoftResets(
  nodes: NirNode[],
  incoming: Map<string, string[]>,
  outgoing: Map<string, string[]>,
  o: typeof NIR_IMPORT_DEFAULTS & NirImportOptions,
  notes: string[],
): NirNode[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const drop = new Set<string>();
  const replace = new Map<string, NirNode>();
  for (const t of nodes) {
    if (t.type !== 'Threshold' || drop.has(t.name)) continue;
    const ins = incoming.get(t.name)!;
    if (ins.length !== 1) continue;
    const x = byName.get(ins[0]!)!;
    if ((x.type !== 'I' && x.type !== 'LI') || outgoing.get(x.name)!.length !== 1) continue;
    const r = outgoing
      .get(t.name)!
      .map((nm) => byName.get(nm)!)
      .find((c) => c.type === 'Scale' && incoming.get(c.name)!.length === 1 && outgoing.get(c.name)!.length === 1 && outgoing.get(c.name)![0] === x.name);
    if (!r) continue;
    const th = t.params.get('threshold');
    const sc = r.params.get('scale');
    const rr = x.params.get('r');
    if (!th || !sc || !rr) continue;
    const n = Math.max(th.data.length, sc.data.length, rr.data.length);
    const at = (a: Float64Array, i: number): number => a[a.length === 1 ? 0 : i]!;
    let decay = 1;
    let gain = (i: number): number => at(rr.data, i);
    if (x.type === 'LI') {
      const tau = x.params.get('tau');
      if (!tau || tau.data.some((v) => !(v > 0))) continue;
      let k: number;
      try {
        k = chooseLeak(tau.data, o.dt, o.leakTolerance, x.name).k;
      } catch {
        continue;
      }
      decay = 1 - 2 ** -k;
      gain = (i: number): number => (at(rr.data, i) * o.dt) / at(tau.data, i);
    }
    let mode: 'gt' | 'ge' | null = null;
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      const thr = at(th.data, i);
      const g = gain(i);
      const s = at(sc.data, i);
      let m: 'gt' | 'ge' | null = null;
      if (g === 1 && s === -(decay * thr)) m = 'gt';
      else if (g === 1 && s === -(decay * nextUp(thr))) m = 'ge';
      else if (Math.abs(-g * s - decay * thr) <= 1e-9 * Math.abs(decay * thr)) m = 'gt';
      if (m === null || (mode !== null && m !== mode)) ok = false;
      mode = m;
    }
    if (!ok || mode === null) continue;
    const params = new Map(x.params);
    params.set('v_threshold', mode === 'ge' ? { ...th, data: th.data.map(nextUp) } : th);
    const fused: NirNode = { name: t.name, type: x.type === 'I' ? 'IF' : 'LIF', path: t.path, params, strings: new Map(), passThrough: false, softReset: { fireOn: mode, from: [x.name, t.name, r.name] } };
    replace.set(t.name, fused);
    drop.add(x.name);
    drop.add(r.name);
    // Rewire: X's other inputs now feed T; R disappears.
    const xin = incoming.get(x.name)!.filter((s2) => s2 !== r.name);
    incoming.set(t.name, xin);
    for (const s2 of xin) outgoing.set(s2, outgoing.get(s2)!.map((d) => (d === x.name ? t.name : d)));
    outgoing.set(t.name, outgoing.get(t.name)!.filter((d) => d !== r.name));
    for (const k2 of [x.name, r.name]) {
      incoming.set(k2, []);
      outgoing.set(k2, []);
    }
    notes.push(`${x.name} (${x.type}) -> ${t.name} (Threshold) -> ${r.name} (Scale) -> ${x.name}: fused into a soft-reset ${fused.type} ${t.name}`);
  }
  return nodes.filter((n) => !drop.has(n.name)).map((n) => replace.get(n.name) ?? n);
}

function checkOptions(o: typeof NIR_IMPORT_DEFAULTS & NirImportOptions): void {
  const bad = (m: string): never => {
    throw new BwsnnError(m, 2);
  };
  if (!Number.isInteger(o.timesteps) || o.timesteps < 1 || o.timesteps > 255) bad(`--timesteps: expected an integer 1..255, got ${o.timesteps}`);
  if (!(o.dt > 0) || !Number.isFinite(o.dt)) bad(`--dt: expected a positive number of seconds, got ${o.dt}`);
  if (!Number.isInteger(o.weightBits) || o.weightBits < 2 || o.weightBits > 16) bad(`--weight-bits: expected an integer 2..16, got ${o.weightBits}`);
  if (o.weightScale !== 'row' && o.weightScale !== 'layer') bad(`--weight-scale: expected row or layer, got ${String(o.weightScale)}`);
  if (!(o.leakTolerance >= 0) || !Number.isFinite(o.leakTolerance)) bad(`--leak-tolerance: expected a number >= 0, got ${o.leakTolerance}`);
  if (o.ifReset !== 'nir' && o.ifReset !== 'subtract') bad(`--if-reset: expected nir or subtract, got ${String(o.ifReset)}`);
  if (!(o.binaryTolerance >= 0)) bad(`binary tolerance: expected a number >= 0, got ${o.binaryTolerance}`);
}

function checkOutShape(
  n: NirNode,
  declared: NirArray | undefined,
  actual: number[],
  report: string[],
  fail: (n: NirNode, m: string) => never,
): void {
  if (!declared) return;
  const d = Array.from(declared.data);
  if (sizeOf(d) !== sizeOf(actual)) fail(n, `declared shape ${fmtShape(d)} does not match the incoming ${fmtShape(actual)}`);
  if (d.length !== actual.length || d.some((x, i) => x !== actual[i])) report.push(`declared shape ${fmtShape(d)} taken as ${fmtShape(actual)} (same size)`);
}

/** Topological order where only edges leaving spiking nodes may point backwards (recurrent). */
function orderNodes(nodes: NirNode[], incoming: Map<string, string[]>, spiking: (n: string) => boolean, file: string): string[] {
  const names = nodes.map((n) => n.name);
  const idx = new Map<string, number>();
  names.forEach((n, i) => idx.set(n, i));
  const succ: number[][] = names.map(() => []);
  names.forEach((n, i) => {
    for (const s of incoming.get(n)!) if (idx.has(s)) succ[idx.get(s)!]!.push(i);
  });
  // Tarjan's strongly connected components (iterative).
  const index = new Int32Array(names.length).fill(-1);
  const low = new Int32Array(names.length);
  const onStack = new Uint8Array(names.length);
  const comp = new Int32Array(names.length).fill(-1);
  const st: number[] = [];
  const comps: number[][] = [];
  let counter = 0;
  for (let root = 0; root < names.length; root++) {
    if (index[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]];
    while (work.length) {
      const top = work[work.length - 1]!;
      const [v, ei] = top;
      if (ei === 0 && index[v] === -1) {
        index[v] = low[v] = counter++;
        st.push(v);
        onStack[v] = 1;
      }
      if (ei < succ[v]!.length) {
        top[1]++;
        const w = succ[v]![ei]!;
        if (index[w] === -1) work.push([w, 0]);
        else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      work.pop();
      if (work.length) {
        const p = work[work.length - 1]![0];
        low[p] = Math.min(low[p]!, low[v]!);
      }
      if (low[v] === index[v]) {
        const c: number[] = [];
        let w: number;
        do {
          w = st.pop()!;
          onStack[w] = 0;
          comp[w] = comps.length;
          c.push(w);
        } while (w !== v);
        comps.push(c);
      }
    }
  }
  // Components in topological order, ties broken by file order (smallest member index first).
  const order: string[] = [];
  const compIn = comps.map(() => 0);
  const compSucc: Set<number>[] = comps.map(() => new Set<number>());
  names.forEach((_, v) => {
    for (const w of succ[v]!) if (comp[v] !== comp[w] && !compSucc[comp[v]!]!.has(comp[w]!)) {
      compSucc[comp[v]!]!.add(comp[w]!);
      compIn[comp[w]!]!++;
    }
  });
  const minIdx = comps.map((c) => Math.min(...c));
  const emitted = new Uint8Array(comps.length);
  for (let step = 0; step < comps.length; step++) {
    let ci = -1;
    for (let c = 0; c < comps.length; c++) if (!emitted[c] && compIn[c] === 0 && (ci === -1 || minIdx[c]! < minIdx[ci]!)) ci = c;
    emitted[ci] = 1;
    for (const w of compSucc[ci]!) compIn[w]!--;
    const members = comps[ci]!.sort((a, b) => a - b);
    if (members.length === 1 && !succ[members[0]!]!.includes(members[0]!)) {
      order.push(names[members[0]!]!);
      continue;
    }
    // Inside a loop: order by the edges that do not leave a spiking node.
    const inC = new Set(members);
    const indeg = new Map<number, number>();
    for (const m of members) indeg.set(m, 0);
    for (const m of members) {
      if (spiking(names[m]!)) continue;
      for (const s of succ[m]!) if (inC.has(s)) indeg.set(s, indeg.get(s)! + 1);
    }
    const done = new Set<number>();
    while (done.size < members.length) {
      const ready = members.find((m) => !done.has(m) && indeg.get(m) === 0);
      if (ready === undefined) {
        const left = members.filter((m) => !done.has(m)).map((m) => names[m]);
        throw new BwsnnError(`${file}: the loop through ${left.join(', ')} has no spiking node (IF, LIF, Threshold) to delay it by one step`);
      }
      done.add(ready);
      order.push(names[ready]!);
      if (!spiking(names[ready]!)) for (const s of succ[ready]!) if (inC.has(s)) indeg.set(s, indeg.get(s)! - 1);
    }
  }
  return order;
}

function compress(a: Float64Array): Float64Array {
  if (a.length > 1 && a.every((v) => v === a[0])) return Float64Array.of(a[0]!);
  return Float64Array.from(a);
}

function compressBias(b: Float64Array, shape: number[]): Float64Array {
  if (shape.length > 1) {
    const C = shape[0]!;
    const inner = sizeOf(shape) / C;
    if (b.length === C) return Float64Array.from(b);
    let perChannel = true;
    for (let c = 0; c < C && perChannel; c++) for (let i = 1; i < inner; i++) if (b[c * inner + i] !== b[c * inner]) perChannel = false;
    if (perChannel) {
      const r = new Float64Array(C);
      for (let c = 0; c < C; c++) r[c] = b[c * inner]!;
      return r;
    }
  }
  return Float64Array.from(b);
}

function expand(a: Float64Array, n: number): Float64Array {
  if (a.length === n) return a;
  return new Float64Array(n).fill(a[0]!);
}

function mulBroadcast(a: Float64Array, b: Float64Array): Float64Array {
  const n = Math.max(a.length, b.length);
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = a[a.length === 1 ? 0 : i]! * b[b.length === 1 ? 0 : i]!;
  return compress(r);
}

function fmtNum(x: number): string {
  return Number(x.toPrecision(6)).toString();
}

function describe(a: Float64Array): string {
  if (a.length === 1) return fmtNum(a[0]!);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of a) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return lo === hi ? fmtNum(lo) : `${fmtNum(lo)}..${fmtNum(hi)} (per neuron)`;
}

export function encodingText(e: InputEncoding): string {
  return e.kind === 'binary' ? `binary:${e.threshold}` : `multibit:${e.bits}`;
}
