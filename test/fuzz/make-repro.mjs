import { readFileSync, writeFileSync } from 'node:fs';
// Regenerates the hand-made reproducers of test/fuzz/repro/ (run from the repository root after npm run build).
const D = new URL('../../dist', import.meta.url).pathname;
const { assemble } = await import(`${D}/isa/asm/index.js`);
const { serializeContainer } = await import(`${D}/isa/container.js`);
const { writeBwsnn } = await import(`${D}/models/format.js`);
const { randomGraph } = await import(`${D}/testing/random-graph.js`);
const { DEFAULT_CHIP } = await import(`${D}/isa/chip.js`);
const out = new URL('./repro', import.meta.url).pathname;
const two = () => assemble(readFileSync(new URL('../../isa/examples/two-core-send.s', import.meta.url).pathname, 'utf8'), 'two.s');
// 1. SEND past the end of the destination's axon bank (spilled into the other bank before).
{ const c = two(); c.chip.axonLines = 4; c.cores[0].routes[0][0].base = 3; c.cores[0].routes[0][0].bitOffset = 63; writeFileSync(`${out}/send-spill.bwc`, serializeContainer(c)); }
// 2. 64x64 mesh, 65535 neurons per core, 1024 programmed cores: ~5 GB declared.
{ const c = two(); c.chip.meshX = 64; c.chip.meshY = 64; c.chip.neuronsPerCore = 65535; const src = c.cores[1];
  for (let k = 2; k < 1024; k++) c.cores.push({ ...src, core: k, routes: [] }); writeFileSync(`${out}/huge-machine.bwc`, serializeContainer(c)); }
// 3. A SEND of 4096 firing neurons, one word each, to 4096 destinations: 16.8 M flits.
{ const c = two(); c.chip.axonLines = 8192; c.chip.neuronsPerCore = 4096; c.chip.routeEntries = 4096; c.chip.instrMemWords = 4096;
  const n = 4096; const core0 = c.cores[0];
  core0.program = [ { op: 'FIRE', args: { rn: 0, n, b: 1 } }, { op: 'SEND', args: { rn: 0, n, route: 0, g: 1, cw: 1 } }, { op: 'HALT', args: {} } ];
  const fill = (v) => Int32Array.from({ length: n }, () => v);
  core0.neurons = { count: n, theta: fill(0), bias: fill(1), vreset: fill(0), g0: fill(1), g1: fill(0), leak: new Uint8Array(n), flags: new Uint8Array(n) };
  core0.synapses = new Uint32Array(0);
  core0.routes = [Array.from({ length: 4096 }, () => ({ core: 1, base: 0, flags: 0, bitOffset: 0 }))];
  c.inputMap = [];
  c.outputMap.probes = c.outputMap.probes.filter((p) => p.kind === 'membrane'); c.outputMap.readout = 0;
  writeFileSync(`${out}/flit-storm.bwc`, serializeContainer(c)); }
// 4. 255 steps of a program that loops ~forever (JMP to itself after work).
{ const c = two(); c.meta.timesteps = 255; c.cores[1].program = [ { op: 'LI', args: { rd: 1, imm: 2147483647 } }, { op: 'BNZD', args: { rs: 1, target: 1 } }, { op: 'HALT', args: {} } ];
  writeFileSync(`${out}/endless-loop.bwc`, serializeContainer(c)); }
// 5. .bwsnn whose header nests 5000 levels deep.
{ const b = writeBwsnn(randomGraph(3)); const dv = new DataView(b.buffer, b.byteOffset); const hlen = dv.getUint32(12, true);
  const h = JSON.parse(new TextDecoder().decode(b.subarray(16, 16 + hlen))); const blob = b.subarray((16 + hlen + 7) & ~7);
  const text = new TextEncoder().encode(JSON.stringify(h).replace(/"name":"[^"]*"/, `"name":${'['.repeat(5000)}${']'.repeat(5000)}`));
  const start = (16 + text.length + 7) & ~7; const o = new Uint8Array(start + blob.length); o.set(b.subarray(0, 12)); new DataView(o.buffer).setUint32(12, text.length, true); o.set(text, 16); o.set(blob, start);
  writeFileSync(`${out}/deep-header.bwsnn`, o);
  // 6. .bwsnn whose header is invalid JSON spread over lines.
  const bad = new TextEncoder().encode('{\n  "format": "bwsnn",\n  "version": 1,\n  oops\n}\n');
  const s2 = (16 + bad.length + 7) & ~7; const o2 = new Uint8Array(s2 + blob.length); o2.set(b.subarray(0, 12)); new DataView(o2.buffer).setUint32(12, bad.length, true); o2.set(bad, 16); o2.set(blob, s2);
  writeFileSync(`${out}/multiline-header.bwsnn`, o2); }
// 7. chip config nested 5000 levels deep in a field; 8. invalid JSON over lines.
writeFileSync(`${out}/deep-field.json`, `{"name":"x","meshX":${'['.repeat(5000)}${']'.repeat(5000)}}`);
writeFileSync(`${out}/deep-object.json`, `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`);
writeFileSync(`${out}/multiline.json`, '{\n  "meshX": 2,\n  "meshY":\n}\n');
