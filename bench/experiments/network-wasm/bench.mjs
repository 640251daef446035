import { readFileSync } from 'node:fs';
const { Network, PORT_HOST, PORT_LOCAL, FLIT_AXON } = await import('../../../dist/simulator/network.js');
const { DEFAULT_CHIP } = await import('../../../dist/isa/chip.js');
const caps = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const mod = new WebAssembly.Module(readFileSync(new URL('net.wasm', import.meta.url)));
const inst = new WebAssembly.Instance(mod, {});
const W = inst.exports;
const NMAX = 16384;
let jsT = 0, wT = 0, hopsTot = 0;
const REPS = +(process.argv[3] ?? 20);
for (const c of caps) {
  const n = c.time.length; const R = c.mx * c.my;
  const chip = { ...DEFAULT_CHIP, meshX: c.mx, meshY: c.my, routerLatency: c.rl, linkLatency: c.ll };
  const net = new Network(chip);
  // wasm
  W.setup(NMAX, R, c.mx, c.my, c.rl, c.ll);
  const mem = W.mem.buffer;
  const off = { time: 0, at: NMAX * 8, port: NMAX * 12, dst: NMAX * 16, next: NMAX * 20, head: NMAX * 24 };
  off.tail = off.head + R * 120; off.queued = off.tail + R * 120; off.free = off.queued + R * 20; off.hops = off.free + R * 40; off.col = off.hops + R * 8;
  const f64 = new Float64Array(mem), i32 = new Int32Array(mem);
  for (let r = 0; r < R; r++) i32[off.col / 4 + r] = r % c.mx;
  let jsRes, wRes;
  for (let rep = 0; rep < REPS; rep++) {
    net.reset(); net.hops.fill(0); net.startDeferring();
    for (let f = 0; f < n; f++) net.inject(c.time[f], c.at[f], c.port[f], c.port[f] === PORT_HOST ? -1 : c.at[f], f, c.dst[f], FLIT_AXON, 0, 0, 1, 0, 0);
    const t0 = performance.now(); net.resolve(); const t1 = performance.now();
    if (rep > 2) jsT += t1 - t0;
    jsRes = { time: Array.from(net.time.subarray(0, n)), at: Array.from(net.at.subarray(0, n)), hops: Array.from(net.hops), last: net.lastDelivery };
    // wasm
    for (let f = 0; f < n; f++) { f64[f] = c.time[f]; i32[off.at / 4 + f] = c.at[f]; i32[off.port / 4 + f] = c.port[f]; i32[off.dst / 4 + f] = c.dst[f]; }
    i32.fill(-1, off.head / 4, off.queued / 4); i32.fill(0, off.queued / 4, off.free / 4); f64.fill(0, off.hops / 8, off.hops / 8 + R);
    W.last.value = -1;
    const t2 = performance.now(); W.resolve(0, n); const t3 = performance.now();
    if (rep > 2) wT += t3 - t2;
    wRes = { time: Array.from(f64.subarray(0, n)), at: Array.from(i32.subarray(off.at / 4, off.at / 4 + n)), hops: Array.from(f64.subarray(off.hops / 8, off.hops / 8 + R)), last: W.last.value };
  }
  hopsTot += jsRes.hops.reduce((a, b) => a + b, 0) * (REPS - 3);
  const same = JSON.stringify(jsRes) === JSON.stringify(wRes);
  if (!same) { console.log('MISMATCH', n, jsRes.last, wRes.last); process.exit(1); }
}
console.log(`JS ${jsT.toFixed(1)} ms, wasm ${wT.toFixed(1)} ms, ratio ${(wT / jsT).toFixed(2)}; ns/hop JS ${(jsT * 1e6 / hopsTot).toFixed(1)} wasm ${(wT * 1e6 / hopsTot).toFixed(1)}`);
