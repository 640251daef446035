/** The bundled zoo models (soft-reset IF, BatchNorm, shortcuts) survive export -> import with identical float results. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runFloat } from '../../models/float-exec.js';
import { loadModel } from '../../models/format.js';
import { exportNir, importNir } from '../../models/nir/index.js';

describe('NIR round trip of the zoo models', () => {
  for (const name of ['mnist-mlp', 'fashion-conv']) {
    const path = `models/zoo/${name}.bwsnn`;
    it.skipIf(!existsSync(path))(name, () => {
      const g = loadModel(path);
      const inp = g.nodes[0]!;
      if (inp.op !== 'input') throw new Error('no input');
      const back = importNir(exportNir(g), `${name}.nir`, { inputEncoding: inp.encoding, timesteps: g.timesteps });
      const size = inp.shape.reduce((a, b) => a * b, 1);
      const max = inp.encoding.kind === 'multibit' ? 2 ** inp.encoding.bits - 1 : 1;
      for (let s = 0; s < 8; s++) {
        const x = Float32Array.from({ length: size }, (_, i) => ((i * 31 + s * 17) % (max + 1)));
        const a = runFloat(g, x);
        const b = runFloat(back, x);
        expect(b.prediction).toBe(a.prediction);
        const ra = Array.from(a.readout);
        Array.from(b.readout).forEach((v, i) => expect(v).toBeCloseTo(ra[i]!, 9));
        for (const k of Object.keys(a.spikes)) expect(Array.from(b.spikes[k]!), k).toEqual(Array.from(a.spikes[k]!));
      }
    });
  }
});
