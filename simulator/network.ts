/**
 * The network on chip (docs/timing.md): a 2-D mesh with XY routing, one flit per output port per
 * cycle, routerLatency cycles in every router and linkLatency cycles on every link, infinite
 * router buffers, FCFS output arbitration by arrival cycle at the router with ties broken by the
 * input-port order (host, local, from west, from east, from north, from south), then by source
 * core, then by the flit's injection sequence number. Ejection into the destination core is an
 * output port like the others (one flit per cycle).
 *
 * Event-driven: every flit is one record in typed arrays; a binary heap orders router arrivals
 * and deliveries. The engine only processes events strictly earlier than the cycle at which a
 * core issues its next instruction, which is exact because an instruction issued at cycle t
 * injects its first flit at t + 1 or later.
 */
import type { ChipConfig } from '../isa/chip.js';

export const PORT_HOST = 0;
export const PORT_LOCAL = 1;
const PORT_FROM_W = 2;
const PORT_FROM_E = 3;
const PORT_FROM_N = 4;
const PORT_FROM_S = 5;
/** Pseudo-port of a delivery event (the flit leaves the ejection port into the core). */
export const PORT_DELIVER = 6;

const OUT_E = 0;
const OUT_W = 1;
const OUT_S = 2;
const OUT_N = 3;
const OUT_EJECT = 4;
const OUTS = 5;

/** Flit kinds. */
export const FLIT_AXON = 0;
export const FLIT_PSUM = 1;

/** Host flits carry this source (orders before every core). */
export const SRC_HOST = -1;

/** Output links of a router, in the order of Tracer.link's `dir` (0 E, 1 W, 2 S, 3 N). */
export const LINK_NAMES = ['E', 'W', 'S', 'N'] as const;

/** The outcome of one `Network.resolve` (Network.resolveMemo). */
export interface ResolveMemo {
  valid: boolean;
  from: number;
  to: number;
  /** Per resolved flit: delivery cycle, router and port after routing. */
  time: Float64Array;
  at: Int32Array;
  port: Int8Array;
  /** Links traversed per router by the resolved flits (per origin they count when recorded). */
  hops: Float64Array;
  /** Output ports' next free cycles and the last delivery afterwards. */
  free: Float64Array;
  lastDelivery: number;
}

export function resolveMemo(): ResolveMemo {
  return { valid: false, from: 0, to: 0, time: new Float64Array(0), at: new Int32Array(0), port: new Int8Array(0), hops: new Float64Array(0), free: new Float64Array(0), lastDelivery: -1 };
}

export class Network {
  /** Traces only: called when a flit leaves router `router` on link `dir` (LINK_NAMES) at cycle `time` of the step. */
  onLink: ((router: number, dir: number, time: number) => void) | undefined;
  readonly meshX: number;
  readonly routerLatency: number;
  readonly linkLatency: number;
  /** Next free cycle of each output port, router-major. */
  private readonly free: Float64Array;
  // Flit records.
  cap = 0;
  n = 0;
  time = new Float64Array(0);
  port = new Int8Array(0);
  src = new Int32Array(0);
  seq = new Int32Array(0);
  at = new Int32Array(0);
  dst = new Int32Array(0);
  kind = new Uint8Array(0);
  /** ROUTE_* flags of the destination. */
  flags = new Uint8Array(0);
  /** Axon word or first neuron at the destination. */
  addr = new Int32Array(0);
  p0 = new Float64Array(0);
  p1 = new Float64Array(0);
  /** 1 for host input flits. */
  host = new Uint8Array(0);
  /** Who injected the flit (an instruction id of the engine's per-instruction counters). */
  origin = new Int32Array(0);
  /** Links on the flit's route (counted into originHops when it is recorded). */
  links = new Int32Array(0);
  /** Links traversed per origin, when counted (per-instruction energy attribution). */
  originHops: Float64Array | undefined;
  // Heap of flit ids.
  // Per-source injection queues: a source injects in increasing (time, sequence) order, so only
  // the head of each source's queue needs to be in the heap (a smaller heap, same order).
  private nextF = new Int32Array(0);
  private readonly qTail: Int32Array;
  private readonly qActive: Uint8Array;
  private heap = new Int32Array(0);
  private hk1 = new Float64Array(0);
  private hk2 = new Float64Array(0);
  private size = 0;
  /** Links traversed per router (flit_hop events are counted at the router the link leaves). */
  readonly hops: Float64Array;
  /**
   * The engine's earliest core issue cycle when it calls step(): ejections before it are delivered
   * at once (step returns the flit) instead of as a separate event.
   */
  horizon = -Infinity;
  /** Axon words written / PSUM flits delivered per core (since the last reset). */
  lastDelivery = -1;
  /**
   * Deferred mode (see `startDeferring`): injected flits are only recorded (ids deferFrom..n-1);
   * `resolve` routes them all at once, `undefer` hands them to the event heap.
   */
  deferring = false;
  deferFrom = 0;
  private readonly routers: number;
  private readonly meshY: number;
  // Port-ordered resolution: per (router, output port, input port) a FIFO of flit ids (linked by
  // lNext), filled in arrival order.
  private readonly lHead: Int32Array;
  private readonly lTail: Int32Array;
  private lNext = new Int32Array(0);
  /** Per (router, output port): 1 while flits are queued in its FIFOs (resolve serves only those). */
  private readonly queued: Uint8Array;
  private readonly live = new Int32Array(6);
  private readonly liveT = new Float64Array(6);
  /** Column of every router. */
  private readonly colOf: Int32Array;

  constructor(chip: ChipConfig) {
    this.meshX = chip.meshX;
    this.routerLatency = chip.routerLatency;
    this.linkLatency = chip.linkLatency;
    const routers = chip.meshX * chip.meshY;
    this.routers = routers;
    this.meshY = chip.meshY;
    this.colOf = Int32Array.from({ length: routers }, (_, r) => r % chip.meshX);
    this.lHead = new Int32Array(routers * OUTS * 6).fill(-1);
    this.lTail = new Int32Array(routers * OUTS * 6).fill(-1);
    this.queued = new Uint8Array(routers * OUTS);
    this.free = new Float64Array(routers * OUTS);
    this.hops = new Float64Array(routers);
    this.qTail = new Int32Array(routers + 1);
    this.qActive = new Uint8Array(routers + 1);
    this.grow(64);
  }

  private grow(cap: number): void {
    const g = <T extends Float64Array | Int32Array | Int8Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a.subarray(0, this.n));
      return b;
    };
    this.time = g(this.time, (k) => new Float64Array(k));
    this.port = g(this.port, (k) => new Int8Array(k));
    this.src = g(this.src, (k) => new Int32Array(k));
    this.seq = g(this.seq, (k) => new Int32Array(k));
    this.at = g(this.at, (k) => new Int32Array(k));
    this.dst = g(this.dst, (k) => new Int32Array(k));
    this.kind = g(this.kind, (k) => new Uint8Array(k));
    this.flags = g(this.flags, (k) => new Uint8Array(k));
    this.addr = g(this.addr, (k) => new Int32Array(k));
    this.p0 = g(this.p0, (k) => new Float64Array(k));
    this.p1 = g(this.p1, (k) => new Float64Array(k));
    this.host = g(this.host, (k) => new Uint8Array(k));
    this.origin = g(this.origin, (k) => new Int32Array(k));
    this.links = g(this.links, (k) => new Int32Array(k));
    this.nextF = g(this.nextF, (k) => new Int32Array(k));
    this.lNext = new Int32Array(cap);
    const h = new Int32Array(cap);
    h.set(this.heap.subarray(0, this.size));
    this.heap = h;
    const k1 = new Float64Array(cap);
    k1.set(this.hk1.subarray(0, this.size));
    this.hk1 = k1;
    const k2 = new Float64Array(cap);
    k2.set(this.hk2.subarray(0, this.size));
    this.hk2 = k2;
    this.cap = cap;
  }

  /** Forget every flit and free every port: the start of a time step (the network is empty). */
  reset(): void {
    this.n = 0;
    this.size = 0;
    this.deferring = false;
    this.deferFrom = 0;
    this.qActive.fill(0);
    this.free.fill(0);
    this.lastDelivery = -1;
  }

  /** Events pending. */
  get pending(): number {
    return this.size;
  }

  /** Time of the earliest pending event (Infinity if none). */
  nextTime(): number {
    return this.size > 0 ? (this.time[this.heap[0] as number] as number) : Infinity;
  }

  /** Links between routers a and b on the XY route (every route is a shortest one). */
  private distance(a: number, b: number): number {
    const mx = this.meshX;
    const ax = a % mx;
    const bx = b % mx;
    return Math.abs(bx - ax) + Math.abs((b - bx) / mx - (a - ax) / mx);
  }

  /** Inject one flit into router `router` through `port` at cycle `t`. Returns the flit id. */
  inject(
    t: number,
    router: number,
    port: number,
    src: number,
    seq: number,
    dst: number,
    kind: number,
    flags: number,
    addr: number,
    p0: number,
    p1: number,
    host: number,
    origin = 0,
  ): number {
    if (this.n === this.cap) this.grow(this.cap * 2);
    const f = this.n++;
    this.time[f] = t;
    this.port[f] = port;
    this.src[f] = src;
    this.seq[f] = seq;
    this.at[f] = router;
    this.dst[f] = dst;
    this.kind[f] = kind;
    this.flags[f] = flags;
    this.addr[f] = addr;
    this.p0[f] = p0;
    this.p1[f] = p1;
    this.host[f] = host;
    this.origin[f] = origin;
    const h = this.distance(router, dst);
    this.links[f] = h;
    const oh = this.originHops;
    if (oh !== undefined) oh[origin] = (oh[origin] as number) + h;
    if (this.deferring) return f;
    this.enqueue(f);
    return f;
  }

  /**
   * Inject `count` flits of core `core` through its local port, one per cycle from cycle `first`,
   * sequence numbers from `seq` on, with the fields of the staging arrays' first `count` entries:
   * `inject` for each in turn. Returns the next sequence number.
   */
  injectLocal(
    first: number,
    core: number,
    seq: number,
    count: number,
    dst: Int32Array,
    kind: Uint8Array,
    flags: Uint8Array,
    addr: Int32Array,
    p0: Float64Array,
    p1: Float64Array,
    origin: number,
  ): number {
    while (this.n + count > this.cap) this.grow(this.cap * 2);
    const links = this.links;
    let h = 0;
    for (let k = 0; k < count; k++) {
      const l = this.distance(core, dst[k] as number);
      links[this.n + k] = l;
      h += l;
    }
    const oh = this.originHops;
    if (oh !== undefined) oh[origin] = (oh[origin] as number) + h;
    for (let k = 0; k < count; k++) {
      const f = this.n++;
      this.time[f] = first + k;
      this.port[f] = PORT_LOCAL;
      this.src[f] = core;
      this.seq[f] = seq + k;
      this.at[f] = core;
      this.dst[f] = dst[k] as number;
      this.kind[f] = kind[k] as number;
      this.flags[f] = flags[k] as number;
      this.addr[f] = addr[k] as number;
      this.p0[f] = p0[k] as number;
      this.p1[f] = p1[k] as number;
      this.host[f] = 0;
      this.origin[f] = origin;
      if (!this.deferring) this.enqueue(f);
    }
    return seq + count;
  }

  /** Put flit f (just injected) into its source's injection queue (the heap holds the heads). */
  private enqueue(f: number): void {
    const t = this.time[f] as number;
    const seq = this.seq[f] as number;
    // Injections of one source come in increasing (time, sequence) order: queue behind its head.
    const q = (this.src[f] as number) + 1;
    this.nextF[f] = -1;
    if (this.qActive[q] === 0) {
      this.qActive[q] = 1;
      this.qTail[q] = f;
      this.push(f);
    } else {
      const tail = this.qTail[q] as number;
      if ((this.time[tail] as number) > t || ((this.time[tail] as number) === t && (this.seq[tail] as number) > seq)) {
        throw new Error('network: injections of one source out of order');
      }
      this.nextF[tail] = f;
      this.qTail[q] = f;
    }
  }

  /**
   * Defer from now on: later injections are only recorded until `resolve` or `undefer`. Exact only
   * when the network is empty and every port is free before the next injection: the engine calls
   * it when no event is pending (every earlier flit was delivered before the current cycle).
   */
  startDeferring(): void {
    if (this.size !== 0) throw new Error('network: deferring with events pending');
    this.deferring = true;
    this.deferFrom = this.n;
  }

  /** Flits recorded since deferring began. */
  get deferred(): number {
    return this.deferring ? this.n - this.deferFrom : 0;
  }

  /** Leave deferred mode: the recorded flits enter the event heap as if injected one by one. */
  undefer(): void {
    if (!this.deferring) return;
    this.deferring = false;
    for (let f = this.deferFrom; f < this.n; f++) this.enqueue(f);
    this.deferFrom = this.n;
  }

  /**
   * Route every deferred flit to its destination at once, with exactly the timing of the event
   * simulation (docs/timing.md): each output port serves its flits in the arbitration order
   * (arrival cycle, then input port; the flits of one input port arrive in distinct cycles, so
   * source and sequence never decide), one per cycle after routerLatency. XY routing makes the
   * port graph acyclic (east ports west to east, west ports east to west, then south ports north
   * to south, north ports south to north, then ejection), so visiting the ports in that order sees
   * every flit of a port before serving it. Afterwards flit f's `time` is its delivery cycle, and
   * the flits deferFrom..n-1 are to be delivered; deferring continues with no flit recorded.
   * Returns the first id of the resolved flits.
   */
  resolve(): number {
    const from = this.deferFrom;
    const to = this.n;
    this.deferFrom = to;
    if (from === to) return from;
    const mx = this.meshX;
    const my = this.meshY;
    const at = this.at;
    const dst = this.dst;
    const port = this.port;
    const colOf = this.colOf;
    const queued = this.queued;
    const head = this.lHead;
    const tail = this.lTail;
    const lNext = this.lNext;
    for (let f = from; f < to; f++) {
      // Into the FIFO of (router, output port by XY routing, input port).
      const r = at[f] as number;
      const d = dst[f] as number;
      const rx = colOf[r] as number;
      const dx = colOf[d] as number;
      const k = r * OUTS + (dx > rx ? OUT_E : dx < rx ? OUT_W : d > r ? OUT_S : d < r ? OUT_N : OUT_EJECT);
      queued[k] = 1;
      const l = k * 6 + (port[f] as number);
      lNext[f] = -1;
      const t = tail[l] as number;
      if (t < 0) head[l] = f;
      else lNext[t] = f;
      tail[l] = f;
    }
    // Only ports with flits queued (`queued`, set by append) are served.
    const q = this.queued;
    for (let x = 0; x < mx; x++) for (let y = 0; y < my; y++) if (q[(y * mx + x) * OUTS + OUT_E] !== 0) this.serve(y * mx + x, OUT_E);
    for (let x = mx - 1; x >= 0; x--) for (let y = 0; y < my; y++) if (q[(y * mx + x) * OUTS + OUT_W] !== 0) this.serve(y * mx + x, OUT_W);
    for (let y = 0; y < my; y++) for (let x = 0; x < mx; x++) if (q[(y * mx + x) * OUTS + OUT_S] !== 0) this.serve(y * mx + x, OUT_S);
    for (let y = my - 1; y >= 0; y--) for (let x = 0; x < mx; x++) if (q[(y * mx + x) * OUTS + OUT_N] !== 0) this.serve(y * mx + x, OUT_N);
    for (let r = 0; r < this.routers; r++) if (q[r * OUTS + OUT_EJECT] !== 0) this.serve(r, OUT_EJECT);
    return from;
  }

  /**
   * Take flits 0..count-1 as recorded again, unchanged from the previous step (Network.reset keeps
   * the records): for host flits identical to the previous step's, which the caller injected
   * first in that step too, in deferred mode; resolveMemo then replays their routing.
   */
  reuseFlits(count: number): void {
    if (this.n !== 0 || !this.deferring || this.deferFrom !== 0 || count > this.cap) throw new Error('network: reusing flits outside a fresh deferred step');
    this.n = count;
    // Their links count again for their origins (recording a flit counts them).
    const oh = this.originHops;
    if (oh !== undefined) for (let f = 0; f < count; f++) oh[this.origin[f] as number]! += this.links[f] as number;
  }

  /**
   * `resolve`, remembering its outcome in `memo` (see ResolveMemo) when `memo.valid` is false, or
   * replaying it when true: the caller guarantees that the network is in the same state (just
   * reset, deferring from flit 0) and the same flits were recorded (same ids, times, ports,
   * sources, sequence numbers and destinations) as when it was remembered. resolve's outcome
   * depends on nothing else, so the replay leaves exactly the state resolve would.
   */
  resolveMemo(memo: ResolveMemo): number {
    const from = this.deferFrom;
    const to = this.n;
    if (memo.valid && memo.from === from && memo.to === to) {
      this.deferFrom = to;
      const mt = memo.time;
      const ma = memo.at;
      const mp = memo.port;
      for (let f = from; f < to; f++) {
        this.time[f] = mt[f - from] as number;
        this.at[f] = ma[f - from] as number;
        this.port[f] = mp[f - from] as number;
      }
      const hops = this.hops;
      const mh = memo.hops;
      for (let r = 0; r < mh.length; r++) hops[r] = (hops[r] as number) + (mh[r] as number);
      this.free.set(memo.free);
      this.lastDelivery = memo.lastDelivery;
      return from;
    }
    const R = this.hops.length;
    const cnt = to - from;
    if (memo.time.length < cnt) {
      memo.time = new Float64Array(cnt);
      memo.at = new Int32Array(cnt);
      memo.port = new Int8Array(cnt);
    }
    if (memo.hops.length !== R) memo.hops = new Float64Array(R);
    if (memo.free.length !== this.free.length) memo.free = new Float64Array(this.free.length);
    // Before: the counts so far (negated), afterwards plus the counts: the deltas.
    const mh = memo.hops;
    for (let r = 0; r < R; r++) mh[r] = -(this.hops[r] as number);
    this.resolve();
    for (let r = 0; r < R; r++) mh[r] = (mh[r] as number) + (this.hops[r] as number);
    memo.valid = true;
    memo.from = from;
    memo.to = to;
    memo.time.set(this.time.subarray(from, to));
    memo.at.set(this.at.subarray(from, to));
    memo.port.set(this.port.subarray(from, to));
    memo.free.set(this.free);
    memo.lastDelivery = this.lastDelivery;
    return from;
  }

  /** Serve output port `out` of router r: merge its input FIFOs by (arrival, input port). */
  private serve(r: number, out: number): void {
    const base = (r * OUTS + out) * 6;
    const head = this.lHead;
    const tail = this.lTail;
    const lNext = this.lNext;
    const time = this.time;
    // The input ports with flits, in ascending order (so that ties go to the lower one), and the
    // arrival cycles of their heads.
    const live = this.live;
    const liveT = this.liveT;
    let nl = 0;
    for (let p = 0; p < 6; p++) {
      const h = head[base + p] as number;
      if (h >= 0) {
        live[nl] = p;
        liveT[nl] = time[h] as number;
        nl++;
      }
    }
    if (nl === 0) return;
    const rl = this.routerLatency;
    const ll = this.linkLatency;
    const k = r * OUTS + out;
    let free = -Infinity;
    const mx = this.meshX;
    let next = r;
    let inPort = 0;
    if (out === OUT_E) {
      next = r + 1;
      inPort = PORT_FROM_W;
    } else if (out === OUT_W) {
      next = r - 1;
      inPort = PORT_FROM_E;
    } else if (out === OUT_S) {
      next = r + mx;
      inPort = PORT_FROM_N;
    } else if (out === OUT_N) {
      next = r - mx;
      inPort = PORT_FROM_S;
    }
    const eject = out === OUT_EJECT;
    const portA = this.port;
    const atA = this.at;
    const dstA = this.dst;
    const colOf = this.colOf;
    const queued = this.queued;
    const nextCol = colOf[next] as number;
    const nextBase = next * OUTS;
    let hops = 0;
    let last = this.lastDelivery;
    // With one FIFO left (`nl` 1) its flits are taken in turn from `cur` on (its head and tail
    // already cleared).
    let cur = -1;
    if (nl === 1) {
      cur = head[base + (live[0] as number)] as number;
      head[base + (live[0] as number)] = -1;
      tail[base + (live[0] as number)] = -1;
    }
    for (;;) {
      let f: number;
      let bt: number;
      if (nl === 1) {
        f = cur;
        if (f < 0) break;
        cur = lNext[f] as number;
        bt = time[f] as number;
      } else {
        // The earliest head; ties go to the lower input port.
        let bi = 0;
        bt = liveT[0] as number;
        for (let i = 1; i < nl; i++) {
          const t = liveT[i] as number;
          if (t < bt) {
            bt = t;
            bi = i;
          }
        }
        const bp = live[bi] as number;
        f = head[base + bp] as number;
        const nx = lNext[f] as number;
        if (nx < 0) {
          head[base + bp] = -1;
          tail[base + bp] = -1;
          for (let i = bi + 1; i < nl; i++) {
            live[i - 1] = live[i] as number;
            liveT[i - 1] = liveT[i] as number;
          }
          nl--;
          if (nl === 1) {
            cur = head[base + (live[0] as number)] as number;
            head[base + (live[0] as number)] = -1;
            tail[base + (live[0] as number)] = -1;
          }
        } else {
          head[base + bp] = nx;
          liveT[bi] = time[nx] as number;
        }
      }
      const ready = bt + rl;
      const dep = ready > free ? ready : free;
      free = dep + 1;
      if (eject) {
        time[f] = dep;
        atA[f] = r;
        portA[f] = PORT_DELIVER;
        if (dep > last) last = dep;
      } else {
        // Its router and port are set when it is ejected (every flit is, at its destination).
        hops++;
        time[f] = dep + ll;
        // Append to the FIFO of its output port at `next` (XY routing).
        const d = dstA[f] as number;
        const dx = colOf[d] as number;
        const o2 = dx > nextCol ? OUT_E : dx < nextCol ? OUT_W : d > next ? OUT_S : d < next ? OUT_N : OUT_EJECT;
        queued[nextBase + o2] = 1;
        const l = (nextBase + o2) * 6 + inPort;
        lNext[f] = -1;
        const lt = tail[l] as number;
        if (lt < 0) head[l] = f;
        else lNext[lt] = f;
        tail[l] = f;
      }
    }
    queued[k] = 0;
    this.free[k] = free;
    this.hops[r] = (this.hops[r] as number) + hops;
    this.lastDelivery = last;
  }

  /**
   * Heap keys of flit f: k1 = time x 8 + port, k2 = (src + 1) x 2^31 + seq, compared
   * lexicographically: exactly the order (time, port, source core, sequence number).
   */
  private k1(f: number): number {
    return (this.time[f] as number) * 8 + (this.port[f] as number);
  }

  private k2(f: number): number {
    return ((this.src[f] as number) + 1) * 2147483648 + (this.seq[f] as number);
  }

  private push(f: number): void {
    const h = this.heap;
    const a1 = this.hk1;
    const a2 = this.hk2;
    const k1 = this.k1(f);
    const k2 = this.k2(f);
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const p1 = a1[p] as number;
      if (k1 > p1 || (k1 === p1 && k2 >= (a2[p] as number))) break;
      h[i] = h[p] as number;
      a1[i] = p1;
      a2[i] = a2[p] as number;
      i = p;
    }
    h[i] = f;
    a1[i] = k1;
    a2[i] = k2;
  }

  /** Sift the entry (f, k1, k2) down from the root (the root's old entry is gone). */
  private siftRoot(f: number, k1: number, k2: number): void {
    const h = this.heap;
    const a1 = this.hk1;
    const a2 = this.hk2;
    const n = this.size;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let m = l;
      let m1 = a1[l] as number;
      let m2 = a2[l] as number;
      const r = l + 1;
      if (r < n) {
        const r1 = a1[r] as number;
        const r2 = a2[r] as number;
        if (r1 < m1 || (r1 === m1 && r2 < m2)) {
          m = r;
          m1 = r1;
          m2 = r2;
        }
      }
      if (k1 < m1 || (k1 === m1 && k2 <= m2)) break;
      h[i] = h[m] as number;
      a1[i] = m1;
      a2[i] = m2;
      i = m;
    }
    h[i] = f;
    a1[i] = k1;
    a2[i] = k2;
  }

  private pop(): number {
    const h = this.heap;
    const top = h[0] as number;
    const n = --this.size;
    if (n > 0) this.siftRoot(h[n] as number, this.hk1[n] as number, this.hk2[n] as number);
    return top;
  }

  /**
   * Process the earliest event. Returns the id of a flit delivered into its destination core
   * by this event (its `time` is the delivery cycle; possibly ahead of the event's time, see
   * `horizon`), or -1 if the event moved a flit on.
   */
  step(): number {
    const f = this.heap[0] as number;
    const t = this.time[f] as number;
    if (this.port[f] === PORT_DELIVER) {
      this.pop();
      if (t > this.lastDelivery) this.lastDelivery = t;
      return f;
    }
    const fromPort = this.port[f] as number;
    const r = this.at[f] as number;
    const d = this.dst[f] as number;
    const mx = this.meshX;
    const rx = r % mx;
    const ry = (r - rx) / mx;
    const dx = d % mx;
    const dy = (d - dx) / mx;
    let out: number;
    let next = r;
    let inPort = PORT_DELIVER;
    if (dx > rx) {
      out = OUT_E;
      next = r + 1;
      inPort = PORT_FROM_W;
    } else if (dx < rx) {
      out = OUT_W;
      next = r - 1;
      inPort = PORT_FROM_E;
    } else if (dy > ry) {
      out = OUT_S;
      next = r + mx;
      inPort = PORT_FROM_N;
    } else if (dy < ry) {
      out = OUT_N;
      next = r - mx;
      inPort = PORT_FROM_S;
    } else out = OUT_EJECT;
    const k = r * OUTS + out;
    const ready = t + this.routerLatency;
    const freeAt = this.free[k] as number;
    const dep = ready > freeAt ? ready : freeAt;
    this.free[k] = dep + 1;
    if (out === OUT_EJECT) {
      this.time[f] = dep;
      this.port[f] = PORT_DELIVER;
    } else {
      this.hops[r] = (this.hops[r] as number) + 1;
      this.onLink?.(r, out, dep);
      this.time[f] = dep + this.linkLatency;
      this.port[f] = inPort;
      this.at[f] = next;
    }
    // Early delivery: a flit ejected at `dep` before every core's next issue cycle (`horizon`) can
    // be written now; no instruction that could see the difference runs before dep + 1, and
    // deliveries commute (OR into axon words, exact integer adds into accumulators).
    const early = out === OUT_EJECT && dep < this.horizon;
    if (early) {
      this.pop();
      if (dep > this.lastDelivery) this.lastDelivery = dep;
    } else {
      // The flit's key only grows: re-place it from the root.
      this.siftRoot(f, this.k1(f), this.k2(f));
    }
    if (fromPort === PORT_LOCAL || fromPort === PORT_HOST) {
      // It left its source's injection queue: the next one of that source enters the heap.
      const q = (this.src[f] as number) + 1;
      const nx = this.nextF[f] as number;
      if (nx === -1) this.qActive[q] = 0;
      else this.push(nx);
    }
    return early ? f : -1;
  }
}
