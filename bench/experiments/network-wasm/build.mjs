import wabtInit from 'wabt';
import { readFileSync, writeFileSync } from 'node:fs';
const wabt = await wabtInit();
const m = wabt.parseWat('net.wat', readFileSync(new URL('net.wat', import.meta.url), 'utf8'));
m.validate();
const { buffer } = m.toBinary({});
writeFileSync(new URL('net.wasm', import.meta.url), buffer);
console.log('wasm bytes', buffer.length);
