/**
 * Compiler output through the ISA tools: every container the compiler emits for random integer
 * models (on the default chip and on tiny chips that force partitioning, fan-in and PSUM) must
 * survive bytes and text round trips unchanged.
 */
import { describe, expect, test } from 'vitest';
import { compileModel, FitError } from '../../compiler/index.js';
import { assemble } from '../../isa/asm/index.js';
import { readContainer, writeContainer } from '../../isa/container.js';
import { disassemble } from '../../isa/disasm.js';
import { CHIPS } from '../compiler/helpers/chips.js';
import { randomIntModel } from '../compiler/helpers/gen.js';

describe('compiled containers round-trip through .bwc bytes and assembly text', () => {
  test.each(Object.keys(CHIPS))('chip %s', (name) => {
    const chip = CHIPS[name];
    if (!chip) throw new Error(name);
    let compiled = 0;
    for (let i = 1; i <= 40 && compiled < 3; i++) {
      const seed = ((i * 2654435761) % 2 ** 30) + 1;
      let c;
      try {
        c = compileModel(randomIntModel(seed, { membraneBits: chip.membraneBits }), chip).container;
      } catch (e) {
        if (e instanceof FitError) continue; // the model does not fit this chip: refused cleanly
        throw e;
      }
      compiled++;
      const bytes = writeContainer(c);
      expect(readContainer(bytes, `seed${seed}.bwc`)).toEqual(c);
      const text = disassemble(c);
      expect(writeContainer(assemble(text, `seed${seed}.s`))).toEqual(bytes);
    }
    expect(compiled).toBeGreaterThan(0);
  });
});
