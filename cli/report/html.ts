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
  /** Dynamic energy per inference by layer, joules. */
  energyByLayer?: BarDatum[];
  /** Spikes per inference by layer. */
  spikesByLayer?: BarDatum[];
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

/** Axis ticks from 0 to at least `max`: 0, s, 2s, ... with s = 1, 2 or 5 x 10^k (about `n` steps). */
export function niceTicks(max: number, n = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const raw = max / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * p).find((st) => st >= raw) ?? 10 * p;
  const ticks: number[] = [];
  for (let k = 0; ; k++) {
    const v = Number((k * step).toPrecision(12));
    ticks.push(v);
    if (v >= max * (1 - 1e-12)) break;
  }
  return ticks;
}

/** A tick label: SI-prefixed with the unit, or a plain number for counts. */
function tickLabel(v: number, unit: string): string {
  if (v === 0) return '0';
  if (unit === '') return Math.abs(v) >= 1e4 ? v.toExponential(1) : String(Number(v.toPrecision(4)));
  return si(v, unit, 3);
}

function barChart(title: string, data: BarDatum[], unit: string): string {
  const rows = data.filter((d) => d.value > 0);
  if (rows.length === 0) return `<section><h2>${escapeHtml(title)}</h2><p class="empty">no non-zero values</p></section>`;
  const ticks = niceTicks(Math.max(...rows.map((d) => d.value)));
  const max = ticks[ticks.length - 1] as number;
  const total = rows.reduce((s, d) => s + d.value, 0);
  const rowH = 22;
  const labelW = 170;
  const barW = 420;
  const axisH = 24;
  const h = rows.length * rowH + 10 + axisH;
  const bars = rows
    .map((d, i) => {
      const w = Math.max(1, (d.value / max) * barW);
      const y = i * rowH + 5;
      const pct = ((100 * d.value) / total).toFixed(1);
      return (
        `<text x="${labelW - 6}" y="${y + 14}" text-anchor="end">${escapeHtml(d.label)}</text>` +
        `<rect class="bar" x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${PALETTE[i % PALETTE.length]}"><title>${escapeHtml(d.label)}: ${si(d.value, unit)} (${pct}%)</title></rect>` +
        `<text class="value" x="${labelW + w + 6}" y="${y + 14}">${unit === '' ? tickLabel(d.value, '') : si(d.value, unit)} (${pct}%)</text>`
      );
    })
    .join('');
  const y0 = rows.length * rowH + 8;
  const axis =
    `<g class="axis"><line x1="${labelW}" y1="${y0}" x2="${labelW + barW}" y2="${y0}" stroke="#888"/>` +
    ticks.map((t) => `<line x1="${labelW + (t / max) * barW}" y1="${y0}" x2="${labelW + (t / max) * barW}" y2="${y0 + 4}" stroke="#888"/><text class="tick" x="${(labelW + (t / max) * barW).toFixed(1)}" y="${y0 + 16}" text-anchor="middle">${tickLabel(t, unit)}</text>`).join('') +
    '</g>';
  return `<section><h2>${escapeHtml(title)}</h2><div class="chart-box"><svg class="chart" width="${labelW + barW + 160}" height="${h}" role="img" aria-label="${escapeHtml(title)}">${bars}${axis}</svg></div></section>`;
}

function heatColor(t: number): string {
  // white -> deep blue
  const r = Math.round(247 - t * (247 - 8));
  const g = Math.round(251 - t * (251 - 48));
  const b = Math.round(255 - t * (255 - 107));
  return `rgb(${r},${g},${b})`;
}

/** A horizontal colour scale from 0 to `max` with ticks (the legend of a heat map). */
function colourScale(max: number, unit: string, width: number, id: string): string {
  // Round ticks below the maximum (none too close to it to read), then the maximum itself.
  const ticks = niceTicks(max, 3).filter((t) => t <= max * 0.8);
  ticks.push(max);
  const stops = [0, 0.25, 0.5, 0.75, 1].map((t) => `<stop offset="${t}" stop-color="${heatColor(t)}"/>`).join('');
  const w = Math.max(120, width);
  return (
    `<svg class="scale" width="${w + 40}" height="34" role="img" aria-label="colour scale"><defs><linearGradient id="${id}">${stops}</linearGradient></defs>` +
    `<rect x="10" y="2" width="${w}" height="10" fill="url(#${id})" stroke="#aaa"/>` +
    ticks.map((t, i) => `<line x1="${10 + (t / max) * w}" y1="12" x2="${10 + (t / max) * w}" y2="16" stroke="#666"/><text class="tick" x="${(10 + (t / max) * w).toFixed(1)}" y="28" text-anchor="${i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle'}">${tickLabel(t, unit === 'J' ? 'J' : '')}</text>`).join('') +
    '</svg>'
  );
}

function meshHeatmaps(mesh: NonNullable<ReportData['mesh']>): string {
  const cell = 58;
  const maps = mesh.metrics
    .map((m, k) => {
      const max = Math.max(1e-30, ...m.values);
      const fmt = (v: number): string => (m.unit === 'J' ? si(v, 'J', 3) : tickLabel(v, ''));
      let cells = '';
      for (let y = 0; y < mesh.meshY; y++) {
        for (let x = 0; x < mesh.meshX; x++) {
          const core = y * mesh.meshX + x;
          const v = m.values[core] ?? 0;
          const t = v / max;
          const fill = t > 0.55 ? '#fff' : '#222';
          cells +=
            `<rect class="cell" x="${x * cell}" y="${y * cell}" width="${cell - 2}" height="${cell - 2}" fill="${heatColor(t)}"><title>core ${core} (${x},${y}): ${v.toLocaleString('en-US')} ${escapeHtml(m.unit)}</title></rect>` +
            `<text x="${x * cell + 4}" y="${y * cell + 12}" style="fill:${fill};font-size:9px">${core}</text>` +
            `<text class="cell-value" x="${x * cell + cell / 2 - 1}" y="${y * cell + cell / 2 + 8}" text-anchor="middle" style="fill:${fill}">${escapeHtml(fmt(v))}</text>`;
        }
      }
      const w = mesh.meshX * cell;
      return `<figure class="chart-box"><svg class="chart heat" width="${w}" height="${mesh.meshY * cell}" role="img" aria-label="${escapeHtml(m.name)}">${cells}</svg>${colourScale(max, m.unit, w - 20, `heat-scale-${k}`)}<figcaption>${escapeHtml(m.name)} (${escapeHtml(m.unit)}; core number top left)</figcaption></figure>`;
    })
    .join('');
  return `<section><h2>Mesh (${mesh.meshX} x ${mesh.meshY} cores)</h2><div class="row">${maps}</div></section>`;
}

function groupedBars(title: string, series: SeriesDatum[], xLabel: string, yLabel: string): string {
  const steps = Math.max(0, ...series.map((s) => s.values.length));
  if (steps === 0 || series.length === 0) return `<section><h2>${escapeHtml(title)}</h2><p class="empty">no data</p></section>`;
  const yt = niceTicks(Math.max(0, ...series.flatMap((s) => s.values)), 4);
  const max = yt[yt.length - 1] as number;
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
  const yOf = (v: number): number => H - bottom - (v / max) * (H - bottom - 10);
  const axis =
    `<g class="axis"><line x1="${left}" y1="${H - bottom}" x2="${W}" y2="${H - bottom}" stroke="#888"/><line x1="${left}" y1="10" x2="${left}" y2="${H - bottom}" stroke="#888"/>` +
    yt.map((t) => `<line x1="${left - 4}" y1="${yOf(t).toFixed(1)}" x2="${W}" y2="${yOf(t).toFixed(1)}" stroke="#eee"/><text class="tick" x="${left - 6}" y="${(yOf(t) + 4).toFixed(1)}" text-anchor="end">${tickLabel(t, '')}</text>`).join('') +
    '</g>' +
    `<text x="12" y="${(H - bottom) / 2}" transform="rotate(-90 12 ${(H - bottom) / 2})" text-anchor="middle">${escapeHtml(yLabel)}</text>`;
  const legend = series
    .map((s, k) => `<span class="key"><i style="background:${PALETTE[k % PALETTE.length]}"></i>${escapeHtml(s.name)}</span>`)
    .join(' ');
  return `<section><h2>${escapeHtml(title)}</h2><div class="chart-box"><svg class="chart" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">${axis}${bars}</svg><div class="legend">${legend} &nbsp; (${escapeHtml(xLabel)} on the x axis)</div></div></section>`;
}

function paretoPlot(points: SweepPoint[]): string {
  if (points.length === 0) return '';
  const W = 640;
  const H = 360;
  const left = 80;
  const bottom = 48;
  const right = 150;
  const top = 14;
  // Both axes start at zero, with round ticks.
  const xt = niceTicks(Math.max(...points.map((p) => p.latencyS)), 5);
  const yt = niceTicks(Math.max(...points.map((p) => p.energyJ)), 5);
  const x1 = xt[xt.length - 1] as number;
  const y1 = yt[yt.length - 1] as number;
  const sx = (v: number): number => left + (v / x1) * (W - left - right);
  const sy = (v: number): number => H - bottom - (v / y1) * (H - bottom - top);
  const front = points.filter((p) => p.pareto).sort((a, b) => a.latencyS - b.latencyS);
  const line = front.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.latencyS).toFixed(1)},${sy(p.energyJ).toFixed(1)}`).join(' ');
  const dots = points
    .map(
      (p) =>
        `<circle class="point" cx="${sx(p.latencyS).toFixed(1)}" cy="${sy(p.energyJ).toFixed(1)}" r="${p.pareto ? 6 : 4}" fill="${p.pareto ? '#e15759' : '#4e79a7'}"><title>${escapeHtml(p.label)}: ${si(p.latencyS, 's')}, ${si(p.energyJ, 'J')}${p.pareto ? ' (Pareto)' : ''}</title></circle>` +
        `<text class="point-label" x="${(sx(p.latencyS) + 8).toFixed(1)}" y="${(sy(p.energyJ) + (p.pareto ? 16 : -8)).toFixed(1)}">${escapeHtml(p.label)}</text>`,
    )
    .join('');
  const axes =
    `<g class="axis"><line x1="${left}" y1="${H - bottom}" x2="${W - right}" y2="${H - bottom}" stroke="#888"/><line x1="${left}" y1="${top}" x2="${left}" y2="${H - bottom}" stroke="#888"/>` +
    xt.map((t) => `<line x1="${sx(t).toFixed(1)}" y1="${H - bottom}" x2="${sx(t).toFixed(1)}" y2="${H - bottom + 4}" stroke="#888"/><text class="tick" x="${sx(t).toFixed(1)}" y="${H - bottom + 16}" text-anchor="middle">${tickLabel(t, 's')}</text>`).join('') +
    yt.map((t) => `<line x1="${left - 4}" y1="${sy(t).toFixed(1)}" x2="${W - right}" y2="${sy(t).toFixed(1)}" stroke="#eee"/><text class="tick" x="${left - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${tickLabel(t, 'J')}</text>`).join('') +
    `<text x="${(left + W - right) / 2}" y="${H - 8}" text-anchor="middle">latency per inference</text>` +
    `<text x="14" y="${(H - bottom) / 2}" transform="rotate(-90 14 ${(H - bottom) / 2})" text-anchor="middle">energy per inference</text></g>`;
  const legend = `<div class="legend"><span class="key"><i style="background:#e15759;border-radius:5px"></i>on the Pareto front</span> <span class="key"><i style="background:#4e79a7;border-radius:5px"></i>dominated</span> &nbsp; (both axes from zero)</div>`;
  return `<section><h2>Design sweep: energy vs latency (${points.length} configurations, ${front.length} on the Pareto front)</h2><div class="chart-box"><svg class="chart" width="${W}" height="${H}" role="img" aria-label="Pareto plot">${axes}<path class="front" d="${line}" fill="none" stroke="#e15759" stroke-width="1.5"/>${dots}</svg>${legend}</div></section>`;
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
.legend{font-size:12px;color:#444}svg.scale{display:block;margin:4px 0}.chart-box{margin:0}.key i{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}.empty{color:#999}`;

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
  if (d.energyByLayer) parts.push(barChart('Energy per inference by layer (dynamic)', d.energyByLayer, 'J'));
  if (d.spikesByLayer) parts.push(barChart('Spikes per inference by layer', d.spikesByLayer, ''));
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
