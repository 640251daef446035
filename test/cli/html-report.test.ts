import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chromium } from 'playwright-core';
import { renderHtmlReport, si, type ReportData } from '../../cli/report/html.js';

/** Debian's chromium (installed by .ci/run); never a downloaded browser. */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const requireBrowser = process.env.CI === 'true';

const sample: ReportData = {
  title: 'bwsnn run: mnist-mlp',
  subtitle: ['chip bw-core-4x4', 'data mnist test (100 samples)'],
  summary: [{ label: 'accuracy', value: '95.0 %' }],
  energyByComponent: [
    { label: 'core datapath', value: 2e-7 },
    { label: 'synapse memory', value: 5e-7 },
    { label: 'leakage', value: 1e-8 },
  ],
  energyByEvent: [{ label: 'synapse_read_word', value: 5e-7 }],
  mesh: { meshX: 2, meshY: 2, metrics: [{ name: 'busy cycles', unit: 'cycles', values: [10, 20, 0, 5] }] },
  spikesPerLayer: [
    { name: 'l1', values: [3, 4, 5, 6] },
    { name: 'l2', values: [1, 2, 2, 1] },
  ],
  cyclesPerStep: [100, 110, 105, 120],
  sweep: [
    { label: 'lanes=1', energyJ: 3e-7, latencyS: 4e-6, pareto: true },
    { label: 'lanes=4', energyJ: 3.2e-7, latencyS: 1e-6, pareto: true },
    { label: 'lanes=2,mesh=2x2', energyJ: 4e-7, latencyS: 3e-6, pareto: false },
  ],
  tables: [{ title: 'Per core', header: ['core', 'busy'], rows: [[0, 10]] }],
};

describe('HTML report', () => {
  it('is self-contained: no scripts, no external references', () => {
    const html = renderHtmlReport(sample);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|https?:\/\/|<link /);
    expect(html).toContain('<svg');
  });

  it('escapes text', () => {
    const html = renderHtmlReport({ title: '<b>&"x"' });
    expect(html).toContain('&lt;b&gt;&amp;&quot;x&quot;');
  });

  it('formats SI units', () => {
    expect(si(1.234e-6, 'J')).toBe('1.23 uJ');
    expect(si(2.5e-9, 's')).toBe('2.50 ns');
    expect(si(0, 'J')).toBe('0 J');
  });

  it.skipIf(!CHROMIUM && !requireBrowser)('loads in headless Chromium without console errors, and the charts have content', async () => {
    expect(CHROMIUM, 'Debian chromium must be installed (apt-get install chromium); .ci/run does it').toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'bwsnn-html-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtmlReport(sample));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      const requests: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) requests.push(r.url());
      });
      await page.goto(pathToFileURL(file).href);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      // energy bars: 3 components + 1 event, spikes: 2 layers x 4 steps, cycles: 4
      expect(await page.locator('rect.bar').count()).toBe(3 + 1 + 8 + 4);
      expect(await page.locator('rect.cell').count()).toBe(4);
      expect(await page.locator('circle.point').count()).toBe(3);
      const d = await page.locator('path.front').getAttribute('d');
      expect(d).toMatch(/^M[\d.]+,[\d.]+ L[\d.]+,[\d.]+$/);
      const box = await page.locator('svg.chart').first().boundingBox();
      expect(box && box.width > 100 && box.height > 20).toBe(true);
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
