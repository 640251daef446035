/**
 * The charts of every HTML report (run, energy, demo, sweep) as a reader sees them in Chromium:
 * each chart has a legend, a colour scale or axis ticks, visible on screen (element screenshots
 * that are not blank); heat maps print their values; the sweep axes start at zero.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chromium } from 'playwright-core';
import { runCli, startCapture } from '../helpers/cli.js';
import { niceTicks } from '../../cli/report/html.js';
import { writeNpy } from '../../models/data/npy.js';
import { writeBwsnn } from '../../models/format.js';
import { randomGraph, randomInput } from '../../testing/random-graph.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const requireBrowser = process.env.CI === 'true';

let dir: string;
beforeEach(() => {
  ({ dir } = startCapture('bwsnn-charts-'));
});
afterEach(() => {
  vi.restoreAllMocks();
});

function fixture(n = 6): { model: string; input: string; labels: string } {
  const graph = randomGraph(5, { kind: 'mlp', timesteps: 3 });
  const model = join(dir, 'm.bwsnn');
  writeFileSync(model, writeBwsnn(graph));
  const xs = Array.from({ length: n }, (_, i) => randomInput(graph, 100 + i));
  const size = xs[0]!.length;
  const data = new Float32Array(n * size);
  xs.forEach((x, i) => data.set(x, i * size));
  const inp = graph.nodes.find((x) => x.op === 'input')!;
  const input = join(dir, 'x.npy');
  writeFileSync(input, writeNpy({ dtype: 'f4', shape: [n, ...(inp.op === 'input' ? inp.shape : [])], data }));
  const labels = join(dir, 'y.npy');
  writeFileSync(labels, writeNpy({ dtype: 'u1', shape: [n], data: Uint8Array.from({ length: n }, (_, i) => i % 2) }));
  return { model, input, labels };
}

async function reports(): Promise<Record<string, string>> {
  const f = fixture();
  const bin = join(dir, 'm.bwc');
  expect(await runCli('compile', f.model, '-o', bin, '--no-measure')).toBe(0);
  const out: Record<string, string> = { run: join(dir, 'run.html'), energy: join(dir, 'energy.html'), demo: join(dir, 'demo.html'), sweep: join(dir, 'sweep.html') };
  expect(await runCli('run', bin, '--input', f.input, '--labels', f.labels, '--workers', '1', '--html', out.run!)).toBe(0);
  expect(await runCli('energy', f.model, '--input', f.input, '--labels', f.labels, '--workers', '1', '--html', out.energy!)).toBe(0);
  expect(await runCli('demo', 'mnist-mlp', '--limit', '4', '--workers', '1', '--html', out.demo!)).toBe(0);
  expect(await runCli('sweep', f.model, '--set', 'lanes=1,4', '--set', 'mesh=1x1,2x2', '--input', f.input, '--workers', '1', '-o', join(dir, 's.csv'), '--html', out.sweep!)).toBe(0);
  return out;
}

describe('HTML charts', () => {
  it('ticks start at zero with round steps', () => {
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(3.1e-6, 5)).toEqual([0, 1e-6, 2e-6, 3e-6, 4e-6]);
    expect(niceTicks(10)).toEqual([0, 2, 4, 6, 8, 10]);
  });

  it('every run/energy/demo report has the per-core energy map, per-layer energy and spikes charts, heat-map values and scales', async () => {
    const r = await reports();
    for (const k of ['run', 'energy', 'demo']) {
      const page = readFileSync(r[k]!, 'utf8');
      for (const h of ['energy per inference (dynamic + leakage)', 'Energy per inference by layer', 'Spikes per inference by layer']) expect(page, `${k}: ${h}`).toContain(h);
      const cells = (page.match(/<rect class="cell"/g) ?? []).length;
      expect((page.match(/class="cell-value"/g) ?? []).length, k).toBe(cells);
      expect((page.match(/<svg class="scale"/g) ?? []).length, k).toBe((page.match(/<svg class="chart heat"/g) ?? []).length);
    }
    const sweep = readFileSync(r.sweep!, 'utf8');
    expect((sweep.match(/class="point-label"/g) ?? []).length).toBe((sweep.match(/<circle class="point"/g) ?? []).length);
    // both sweep axes start at 0
    expect(sweep).toMatch(/<text class="tick"[^>]*>0<\/text>/);
  });

  it.skipIf(!CHROMIUM && !requireBrowser)('in Chromium, each chart shows a legend, colour scale or axis ticks (screenshots not blank)', async () => {
    expect(CHROMIUM, 'Debian chromium must be installed (apt-get install chromium)').toBeDefined();
    const r = await reports();
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    try {
      for (const [kind, file] of Object.entries(r)) {
        const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(pathToFileURL(file).href);
        expect(errors).toEqual([]);
        const boxes = page.locator('.chart-box');
        const n = await boxes.count();
        expect(n, kind).toBeGreaterThan(0);
        expect(n, `${kind}: every chart is in a chart box`).toBe(await page.locator('svg.chart').count());
        for (let i = 0; i < n; i++) {
          const box = boxes.nth(i);
          const key = box.locator('g.axis, svg.scale, .legend').first();
          expect(await key.count(), `${kind} chart ${i}: legend, scale or axis`).toBe(1);
          await key.scrollIntoViewIfNeeded();
          const bb = await key.boundingBox();
          expect(bb && bb.width > 20 && bb.height > 8, `${kind} chart ${i}: visible key`).toBe(true);
          // A blank element screenshot compresses to a few hundred bytes; ticks, labels or a gradient do not.
          const shot = await key.screenshot();
          expect(shot.length, `${kind} chart ${i}: key screenshot`).toBeGreaterThan(600);
          const ticks = await box.locator('text.tick').count();
          const legend = await box.locator('.legend').count();
          expect(ticks + legend, `${kind} chart ${i}: ticks or a legend`).toBeGreaterThan(0);
        }
        await page.close();
      }
    } finally {
      await browser.close();
    }
  }, 120_000);
});
