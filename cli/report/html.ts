/**
 * The visual report: one self-contained HTML page (inline CSS and SVG, no script, no network at
 * view time) with the charts of a run, an energy estimate or a sweep. Every chart is drawn from
 * the numbers it is given; nothing here computes a result.
 */

export interface BarDatum {
  label: string;
  value: number;
}

export interface MeshMetric {
  /** Metric name, e.g. "busy cycles". */
  name: string;
  unit: string;
  /** One value per core, index = y * meshX + x. */
  values: number[];
}

export interface SeriesDatum {
  name: string;
  values: number[];
}

export interface SweepPoint {
  label: string;
  energyJ: number;
  latencyS: number;
  pareto: boolean;
}

export interface ReportData {
  title: string;
  /** Lines of context under the title (model, chip, data set, command). */
  subtitle?: string[];
  /** Key figures shown as a table. */
  summary?: { label: string; value: string }[];
  /** Energy per inference by component, joules. */
  energyByComponent?: BarDatum[];
  /** Energy per inference by event, joules. */
  energyByEvent?: BarDatum[];
  mesh?: { meshX: number; meshY: number; metrics: MeshMetric[] };
  /** Spikes per layer per time step (mean over inferences). */
  spikesPerLayer?: SeriesDatum[];
  /** Cycles per time step (mean over inferences). */
  cyclesPerStep?: number[];
  sweep?: SweepPoint[];
  /** Free-form tables (e.g. per-core breakdown). */
  tables?: { title: string; header: string[]; rows: (string | number)[][] }[];
}

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Format a number with an SI prefix and unit (e.g. 1.23 uJ). */
export function si(value: number, unit: string, digits = 3): string {
  if (value === 0 || !Number.isFinite(value)) return `${value} ${unit}`;
  const prefixes: [number, string][] = [
    [1e9, 'G'], [1e6, 'M'], [1e3, 'k'], [1, ''], [1e-3, 'm'], [1e-6, 'u'], [1e-9, 'n'], [1e-12, 'p'], [1e-15, 'f'],
  ];
  const a = Math.abs(value);
  for (const [f, p] of prefixes) {
    if (a >= f) return `${(value / f).toPrecision(digits)} ${p}${unit}`;
  }
  return `${value.toExponential(digits - 1)} ${unit}`;
}

function barChart(title: string, data: BarDatum[], unit: string): string {
  const rows = data.filter((d) => d.value > 0);
  if (rows.length === 0) return `<section><h2>${escapeHtml(title)}</h2><p class="empty">no non-zero values</p></section>`;
  const max = Math.max(...rows.map((d) => d.value));
  const total = rows.reduce((s, d) => s + d.value, 0);
  const rowH = 22;
  const labelW = 170;
  const barW = 420;
  const h = rows.length * rowH + 10;
  const bars = rows
    .map((d, i) => {
      const w = Math.max(1, (d.value / max) * barW);
      const y = i * rowH + 5;
      const pct = ((100 * d.value) / total).toFixed(1);
      return (
        `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${escapeHtml(d.label)}</text>` +
        `<rect class="bar" x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${PALETTE[i % PALETTE.length]}"><title>${escapeHtml(d.label)}: ${si(d.value, unit)} (${pct}%)</title></rect>` +
        `<text x="${labelW + w + 6}" y="${y + 14}">${si(d.value, unit)} (${pct}%)</text>`
      );
    })
    .join('');
  return `<section><h2>${escapeHtml(title)}</h2><svg class="chart" width="${labelW + barW + 160}" height="${h}" role="img" aria-label="${escapeHtml(title)}">${bars}</svg></section>`;
}

function heatColor(t: number): string {
  // white -> deep blue
  const r = Math.round(247 - t * (247 - 8));
  const g = Math.round(251 - t * (251 - 48));
  const b = Math.round(255 - t * (255 - 107));
  return `rgb(${r},${g},${b})`;
}

function meshHeatmaps(mesh: NonNullable<ReportData['mesh']>): string {
  const cell = 46;
  const maps = mesh.metrics
    .map((m) => {
      const max = Math.max(1e-30, ...m.values);
      let cells = '';
      for (let y = 0; y < mesh.meshY; y++) {
        for (let x = 0; x < mesh.meshX; x++) {
          const core = y * mesh.meshX + x;
          const v = m.values[core] ?? 0;
          const t = v / max;
          cells +=
            `<rect class="cell" x="${x * cell}" y="${y * cell}" width="${cell - 2}" height="${cell - 2}" fill="${heatColor(t)}"><title>core ${core} (${x},${y}): ${v.toLocaleString('en-US')} ${escapeHtml(m.unit)}</title></rect>` +
            `<text x="${x * cell + cell / 2 - 1}" y="${y * cell + cell / 2 + 4}" text-anchor="middle" style="fill:${t > 0.55 ? '#fff' : '#222'}">${core}</text>`;
        }
      }
      return `<figure><svg class="chart heat" width="${mesh.meshX * cell}" height="${mesh.meshY * cell}" role="img" aria-label="${escapeHtml(m.name)}">${cells}</svg><figcaption>${escapeHtml(m.name)} (max ${max.toLocaleString('en-US')} ${escapeHtml(m.unit)})</figcaption></figure>`;
    })
    .join('');
  return `<section><h2>Mesh (${mesh.meshX} x ${mesh.meshY} cores)</h2><div class="row">${maps}</div></section>`;
}

function groupedBars(title: string, series: SeriesDatum[], xLabel: string, yLabel: string): string {
  const steps = Math.max(0, ...series.map((s) => s.values.length));
  if (steps === 0 || series.length === 0) return `<section><h2>${escapeHtml(title)}</h2><p class="empty">no data</p></section>`;
  const max = Math.max(1e-30, ...series.flatMap((s) => s.values));
  const W = 560;
  const H = 220;
  const left = 60;
  const bottom = 30;
  const groupW = (W - left) / steps;
  const barW = Math.max(2, (groupW - 8) / series.length);
  let bars = '';
  for (let t = 0; t < steps; t++) {
    series.forEach((s, k) => {
      const v = s.values[t] ?? 0;
      const h = (v / max) * (H - bottom - 10);
      const x = left + t * groupW + 4 + k * barW;
      bars += `<rect class="bar" x="${x.toFixed(1)}" y="${(H - bottom - h).toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${Math.max(0.5, h).toFixed(1)}" fill="${PALETTE[k % PALETTE.length]}"><title>${escapeHtml(s.name)}, ${xLabel} ${t}: ${v.toLocaleString('en-US', { maximumFractionDigits: 2 })}</title></rect>`;
    });
    bars += `<text x="${(left + t * groupW + groupW / 2).toFixed(1)}" y="${H - 10}" text-anchor="middle">${t}</text>`;
  }
  const axis =
    `<line x1="${left}" y1="${H - bottom}" x2="${W}" y2="${H - bottom}" stroke="#888"/>` +
    `<text x="${left - 6}" y="14" text-anchor="end">${max.toLocaleString('en-US', { maximumFractionDigits: 1 })}</text>` +
    `<text x="${left - 6}" y="${H - bottom}" text-anchor="end">0</text>` +
    `<text x="12" y="${(H - bottom) / 2}" transform="rotate(-90 12 ${(H - bottom) / 2})" text-anchor="middle">${escapeHtml(yLabel)}</text>`;
  const legend = series
    .map((s, k) => `<span class="key"><i style="background:${PALETTE[k % PALETTE.length]}"></i>${escapeHtml(s.name)}</span>`)
    .join(' ');
  return `<section><h2>${escapeHtml(title)}</h2><svg class="chart" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">${axis}${bars}</svg><div class="legend">${legend} &nbsp; (${escapeHtml(xLabel)} on the x axis)</div></section>`;
}

function paretoPlot(points: SweepPoint[]): string {
  if (points.length === 0) return '';
  const W = 560;
  const H = 320;
  const left = 70;
  const bottom = 40;
  const lat = points.map((p) => p.latencyS);
  const en = points.map((p) => p.energyJ);
  const [x0, x1] = [Math.min(...lat), Math.max(...lat)];
  const [y0, y1] = [Math.min(...en), Math.max(...en)];
  const sx = (v: number): number => left + (x1 > x0 ? ((v - x0) / (x1 - x0)) * (W - left - 20) : (W - left) / 2);
  const sy = (v: number): number => H - bottom - (y1 > y0 ? ((v - y0) / (y1 - y0)) * (H - bottom - 20) : (H - bottom) / 2);
  const front = points.filter((p) => p.pareto).sort((a, b) => a.latencyS - b.latencyS);
  const line = front.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.latencyS).toFixed(1)},${sy(p.energyJ).toFixed(1)}`).join(' ');
  const dots = points
    .map(
      (p) =>
        `<circle class="point" cx="${sx(p.latencyS).toFixed(1)}" cy="${sy(p.energyJ).toFixed(1)}" r="${p.pareto ? 6 : 4}" fill="${p.pareto ? '#e15759' : '#4e79a7'}"><title>${escapeHtml(p.label)}: ${si(p.latencyS, 's')}, ${si(p.energyJ, 'J')}${p.pareto ? ' (Pareto)' : ''}</title></circle>`,
    )
    .join('');
  const axes =
    `<line x1="${left}" y1="${H - bottom}" x2="${W - 10}" y2="${H - bottom}" stroke="#888"/><line x1="${left}" y1="10" x2="${left}" y2="${H - bottom}" stroke="#888"/>` +
    `<text x="${left}" y="${H - 20}">${si(x0, 's')}</text><text x="${W - 10}" y="${H - 20}" text-anchor="end">${si(x1, 's')}</text>` +
    `<text x="${(left + W) / 2}" y="${H - 4}" text-anchor="middle">latency per inference</text>` +
    `<text x="${left - 4}" y="${H - bottom}" text-anchor="end">${si(y0, 'J')}</text><text x="${left - 4}" y="20" text-anchor="end">${si(y1, 'J')}</text>` +
    `<text x="14" y="${(H - bottom) / 2}" transform="rotate(-90 14 ${(H - bottom) / 2})" text-anchor="middle">energy per inference</text>`;
  return `<section><h2>Design sweep: energy vs latency (${points.length} configurations, ${front.length} on the Pareto front)</h2><svg class="chart" width="${W}" height="${H}" role="img" aria-label="Pareto plot">${axes}<path class="front" d="${line}" fill="none" stroke="#e15759" stroke-width="1.5"/>${dots}</svg></section>`;
}

function table(t: NonNullable<ReportData['tables']>[number]): string {
  const head = t.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = t.rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(typeof c === 'number' ? c.toLocaleString('en-US', { maximumFractionDigits: 4 }) : c)}</td>`).join('')}</tr>`)
    .join('');
  return `<section><h2>${escapeHtml(t.title)}</h2><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></section>`;
}

const CSS = `body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#666;margin:0}.chart text{font-size:11px;fill:#333}.row{display:flex;flex-wrap:wrap;gap:24px}
figure{margin:0}figcaption{font-size:12px;color:#555;text-align:center}table{border-collapse:collapse;font-size:12px}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
.legend{font-size:12px;color:#444}.key i{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}.empty{color:#999}`;

/** Render the report as one self-contained HTML document. */
export function renderHtmlReport(d: ReportData): string {
  const parts: string[] = [];
  parts.push(`<h1>${escapeHtml(d.title)}</h1>`);
  for (const s of d.subtitle ?? []) parts.push(`<p class="sub">${escapeHtml(s)}</p>`);
  if (d.summary && d.summary.length > 0) {
    parts.push(table({ title: 'Summary', header: ['quantity', 'value'], rows: d.summary.map((s) => [s.label, s.value]) }));
  }
  if (d.energyByComponent) parts.push(barChart('Energy per inference by component', d.energyByComponent, 'J'));
  if (d.energyByEvent) parts.push(barChart('Energy per inference by event', d.energyByEvent, 'J'));
  if (d.mesh) parts.push(meshHeatmaps(d.mesh));
  if (d.spikesPerLayer) parts.push(groupedBars('Spikes per layer per time step', d.spikesPerLayer, 'time step', 'spikes'));
  if (d.cyclesPerStep) parts.push(groupedBars('Cycles per time step', [{ name: 'cycles', values: d.cyclesPerStep }], 'time step', 'cycles'));
  if (d.sweep) parts.push(paretoPlot(d.sweep));
  for (const t of d.tables ?? []) parts.push(table(t));
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(d.title)}</title><style>${CSS}</style></head>
<body>
${parts.join('\n')}
<p class="sub">Generated by bwsnn. Every figure is a count measured by the simulator times a cited table entry; see docs/energy.md.</p>
</body></html>
`;
}
