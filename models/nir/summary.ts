/** The human-readable import summary printed by `bwsnn import`. */
import { encodingText, type NirImportSummary } from './lower.js';

export function formatImportSummary(s: NirImportSummary): string {
  const lines: string[] = [];
  lines.push(`imported ${s.file} (NIR file version ${s.version ?? 'none'})`);
  lines.push(`time steps T = ${s.timesteps} (NIR carries none: --timesteps)`);
  lines.push(`dt = ${s.dt} s${s.usedDt ? ' (used for the leaks below)' : ' (not used: no time constants in this graph)'}`);
  lines.push(`input encoding ${encodingText(s.encoding)}`);
  lines.push(`multi-bit weights: ${s.weightBits} bits, per-${s.weightScale} scale`);
  lines.push('nodes:');
  for (const n of s.nodes) {
    lines.push(`  ${n.nir} (${n.type}) -> ${n.irNodes.length ? n.irNodes.join(', ') : '(no node)'}${n.lowering ? `: ${n.lowering}` : ''}`);
  }
  lines.push(`binary layers detected: ${s.binaryLayers.length ? s.binaryLayers.join(', ') : 'none'}`);
  if (s.multibitLayers.length) {
    lines.push('multi-bit layers:');
    for (const m of s.multibitLayers) {
      lines.push(`  ${m.node}: ${m.bits} bits, ${m.exactRows}/${m.rows} rows exact, max quantization error ${(m.maxRelError * 100).toFixed(3)}% of max|W|`);
    }
  }
  if (s.leaks.length) {
    lines.push('leak approximations (decay 1 - dt/tau ~ 1 - 2^-k (shift) or 1 - d/4096 (12-bit decay)):');
    for (const l of s.leaks) {
      const how = l.kind === 'shift' ? `k = ${l.shift} (2^-k = ${2 ** -l.shift})` : `d = ${l.decay} (d/4096 = ${Number(l.used.toPrecision(6))})`;
      lines.push(`  ${l.node}: tau ${l.tau} s, dt/tau ${Number(l.rate.toPrecision(6))} -> ${how}, relative error ${(l.relError * 100).toFixed(2)}%`);
    }
  } else lines.push('leak approximations: none');
  lines.push(`readout: ${s.readout}`);
  for (const n of s.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}
