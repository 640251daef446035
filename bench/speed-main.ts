/**
 * `node dist/bench/speed-main.js`: the PyTorch comparison of bench/speed.ts alone (also part of
 * `npm run bench`). Environment: BENCH_MLP_N (default 20000), BENCH_CONV_N (default 1000),
 * BENCH_RUNS (default 3).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printSpeed, speedBench } from './speed.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');
const r = await speedBench({
  cli,
  runs: Number(process.env.BENCH_RUNS ?? 3),
  mlpN: Number(process.env.BENCH_MLP_N ?? 20000),
  convN: Number(process.env.BENCH_CONV_N ?? 1000),
  log: (s) => console.log(s),
});
printSpeed(r, (s) => console.log(s));
