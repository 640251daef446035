/**
 * `npm run fuzz`: seeded structure-aware mutants of every input format, run in child processes
 * with a per-case timeout and a memory ceiling (docs/timing.md, "Fuzzing"). Prints per-format
 * totals and exits 1 on any escape (an exception other than a one-line BwsnnError), hang,
 * memory blow-up or non-deterministic simulation result.
 *
 *   node dist/fuzz/main.js [--cases N] [--seed S] [--jobs J] [--timeout MS] [--save DIR]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCorpus, FILE_EXT, FORMATS, formatOf, makeCase, type Format } from './cases.js';

export interface FuzzOptions {
  cases: number;
  seed: number;
  jobs: number;
  /** Per-case timeout (ms): a case running longer is a hang. */
  timeoutMs: number;
  /** Resident memory (bytes) of a worker after a case above which the case is a blow-up. */
  rssLimit: number;
  /** Cases per child process. */
  chunk: number;
  /** Directory for reproducers of bad cases. */
  save?: string;
  onProgress?: (done: number) => void;
}

export type Bad = 'escape' | 'hang' | 'blowup' | 'nondeterministic';
export const BAD: readonly Bad[] = ['escape', 'hang', 'blowup', 'nondeterministic'];
export interface Tally {
  cases: number;
  accepted: number;
  simulated: number;
  refused: number;
  skipped: number;
  escape: number;
  hang: number;
  blowup: number;
  nondeterministic: number;
}
export interface FuzzSummary {
  perFormat: Record<Format, Tally>;
  bad: { format: Format; idx: number; verdict: Bad; detail: string }[];
  seconds: number;
}

/** The compiled worker: beside this module, or in dist/ when running from the TS sources (tests). */
const here = dirname(fileURLToPath(import.meta.url));
const childPath = existsSync(join(here, 'child.js')) ? join(here, 'child.js') : join(here, '..', 'dist', 'fuzz', 'child.js');
/** Time a worker may take to build its seed corpus before its first case (ms). */
const STARTUP_MS = 120_000;
const empty = (): Tally => ({ cases: 0, accepted: 0, simulated: 0, refused: 0, skipped: 0, escape: 0, hang: 0, blowup: 0, nondeterministic: 0 });

/** Run cases [from, to) in child processes (restarting after a hang or a crash). */
function runRange(o: FuzzOptions, from: number, to: number, record: (idx: number, verdict: string, detail: string, simulated: boolean) => void): Promise<void> {
  return new Promise((resolve) => {
    let next = from;
    const start = (): void => {
      if (next >= to) return resolve();
      const child = spawn(process.execPath, ['--max-old-space-size=1024', childPath, String(o.seed), String(next), String(to), String(o.rssLimit)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let current = -1;
      let buf = '';
      let timer: NodeJS.Timeout | undefined;
      let timedOut = false;
      const arm = (ms: number): void => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, ms);
      };
      // Start-up (building the seed corpus) has its own, longer limit.
      arm(Math.max(STARTUP_MS, o.timeoutMs));
      child.stderr.resume();
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d: string) => {
        buf += d;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.startsWith('S ')) {
            current = Number(line.slice(2));
            arm(o.timeoutMs);
          } else if (line.startsWith('R ')) {
            const sp = line.indexOf(' ', 2);
            const idx = Number(line.slice(2, sp));
            const r = JSON.parse(line.slice(sp + 1)) as { verdict: string; detail?: string; simulated?: boolean };
            record(idx, r.verdict, r.detail ?? '', r.simulated === true);
            next = idx + 1;
            current = -1;
          }
        }
      });
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        if (current >= 0) {
          record(current, timedOut ? 'hang' : 'blowup', timedOut ? `no result within ${o.timeoutMs} ms` : `worker died (exit ${code}, signal ${signal}) during the case`, false);
          next = current + 1;
        } else if (next < to && code !== 0 && code !== 3) {
          // Died outside a case (start-up): count the next case as a blow-up so the run ends.
          record(next, 'blowup', `worker died (exit ${code}, signal ${signal}${timedOut ? ', start-up timeout' : ''}) between cases`, false);
          next++;
        }
        start();
      });
    };
    start();
  });
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzSummary> {
  const t0 = performance.now();
  const perFormat = Object.fromEntries(FORMATS.map((f) => [f, empty()])) as Record<Format, Tally>;
  const bad: FuzzSummary['bad'] = [];
  let done = 0;
  const record = (idx: number, verdict: string, detail: string, simulated: boolean): void => {
    const t = perFormat[formatOf(idx)];
    t.cases++;
    done++;
    if (verdict in t) (t as unknown as Record<string, number>)[verdict]!++;
    if (simulated) t.simulated++;
    if ((BAD as readonly string[]).includes(verdict)) bad.push({ format: formatOf(idx), idx, verdict: verdict as Bad, detail });
    o.onProgress?.(done);
  };
  const ranges: [number, number][] = [];
  for (let a = 0; a < o.cases; a += o.chunk) ranges.push([a, Math.min(o.cases, a + o.chunk)]);
  let k = 0;
  const lane = async (): Promise<void> => {
    while (k < ranges.length) {
      const [a, b] = ranges[k++]!;
      await runRange(o, a, b, record);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.jobs) }, lane));
  bad.sort((x, y) => x.idx - y.idx);
  if (o.save && bad.length) {
    mkdirSync(o.save, { recursive: true });
    const corpus = buildCorpus();
    for (const b of bad) {
      const c = makeCase(corpus, o.seed, b.idx);
      if (c) writeFileSync(join(o.save, `${b.verdict}-${c.format}-${o.seed}-${b.idx}.${FILE_EXT[c.format]}`), c.bytes);
    }
  }
  return { perFormat, bad, seconds: (performance.now() - t0) / 1000 };
}

/** The per-format table. */
export function formatSummary(s: FuzzSummary, seed: number): string {
  const cols = ['cases', 'accepted', 'simulated', 'refused', 'skipped', 'escape', 'hang', 'blowup', 'nondeterministic'] as const;
  const L = [`fuzz seed ${seed}: ${Object.values(s.perFormat).reduce((a, t) => a + t.cases, 0)} mutants in ${s.seconds.toFixed(1)} s`];
  L.push(['format'.padEnd(13), ...cols.map((c) => c.padStart(c.length > 8 ? c.length : 9))].join(' '));
  const total = empty();
  for (const f of FORMATS) {
    const t = s.perFormat[f];
    for (const c of cols) total[c] += t[c];
    L.push([f.padEnd(13), ...cols.map((c) => String(t[c]).padStart(c.length > 8 ? c.length : 9))].join(' '));
  }
  L.push(['total'.padEnd(13), ...cols.map((c) => String(total[c]).padStart(c.length > 8 ? c.length : 9))].join(' '));
  for (const b of s.bad.slice(0, 50)) L.push(`${b.verdict} ${b.format} case ${b.idx}: ${b.detail}`);
  if (s.bad.length > 50) L.push(`... ${s.bad.length - 50} more`);
  return `${L.join('\n')}\n`;
}

function parseArgs(argv: string[]): FuzzOptions {
  const o: FuzzOptions = { cases: 100_000, seed: 1, jobs: 2, timeoutMs: 20_000, rssLimit: 1.5 * 2 ** 30, chunk: 5000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    const num = (): number => {
      i++;
      if (v === undefined || !/^\d+$/.test(v)) throw new Error(`${a} needs a non-negative integer`);
      return Number(v);
    };
    if (a === '--cases') o.cases = num();
    else if (a === '--seed') o.seed = num();
    else if (a === '--jobs') o.jobs = Math.max(1, num());
    else if (a === '--timeout') o.timeoutMs = num();
    else if (a === '--chunk') o.chunk = Math.max(1, num());
    else if (a === '--save') {
      if (v === undefined) throw new Error('--save needs a directory');
      o.save = v;
      i++;
    } else throw new Error(`unknown option ${a} (--cases N --seed S --jobs J --timeout MS --chunk N --save DIR)`);
  }
  return o;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  let opts: FuzzOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`fuzz: ${(e as Error).message}\n`);
    process.exit(2);
  }
  let last = 0;
  opts.onProgress = (d): void => {
    if (process.stderr.isTTY && d - last >= 1000) {
      last = d;
      process.stderr.write(`\r${d}/${opts.cases}`);
    }
  };
  runFuzz(opts).then((s) => {
    if (process.stderr.isTTY) process.stderr.write('\r');
    process.stdout.write(formatSummary(s, opts.seed));
    process.exitCode = s.bad.length > 0 ? 1 : 0;
  });
}
