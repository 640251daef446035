/**
 * A fuzz worker process: runs cases [from, to) of one seed and reports on stdout, one line per
 * event: "S idx" before a case, then "R idx <json Outcome>" (synchronous writes: the parent
 * knows which case a hang or a crash happened in).
 */
import { writeSync } from 'node:fs';
import { buildCorpus, caseRng, makeCase, runMutant } from './cases.js';

const [seed, from, to, rssLimit] = process.argv.slice(2).map(Number) as [number, number, number, number];
const corpus = buildCorpus();
for (let idx = from; idx < to; idx++) {
  writeSync(1, `S ${idx}\n`);
  const c = makeCase(corpus, seed, idx);
  const out = c ? runMutant(c.format, c.bytes, caseRng(seed ^ 0x5bd1e995, idx)) : { verdict: 'skipped' as const };
  const rss = process.memoryUsage().rss;
  const res = rss > rssLimit ? { verdict: 'blowup', detail: `resident memory ${rss} bytes after the case` } : out;
  writeSync(1, `R ${idx} ${JSON.stringify({ format: c?.format, ...res })}\n`);
  if (rss > rssLimit) process.exit(3);
}
