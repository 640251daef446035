/**
 * The ISA table's prose is checked against its functions: every costText is evaluated as a formula
 * and must equal `cycles` on random activities and chips; every eventsText must list exactly the
 * events `events` returns, with the same counts. The declared register writes, enum values and
 * the instruction builder are checked here too.
 */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../base/random.js';
import { DEFAULT_CHIP, type ChipConfig } from '../../isa/chip.js';
import { instr } from '../../isa/instr.js';
import { BY_MNEMONIC, DEF_INDEX, INSTRUCTIONS, WMODE, fieldRange, windowOutWidth, type Activity } from '../../isa/table.js';

const ACT = ['n', 'scan', 'ops', 'flits', 'spikes', 'taken'] as const;
const CHIP = ['pipelineDepth', 'lanes', 'laneBits', 'neuronUnits', 'branchPenalty'] as const;

function randomCase(r: () => number): { a: Activity; c: ChipConfig } {
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const a: Activity = { n: int(0, 5000), scan: int(0, 3000), ops: int(0, 90000), flits: int(0, 400), spikes: int(0, 5000), taken: int(0, 1) };
  const c: ChipConfig = { ...DEFAULT_CHIP, pipelineDepth: int(1, 9), lanes: int(1, 32), laneBits: 2 ** int(0, 7), neuronUnits: int(1, 64), branchPenalty: int(0, 5) };
  return { a, c };
}

/** The costText as a JS expression over the activity and chip names (annotations cut off). */
function costFormula(text: string): (a: Activity, c: ChipConfig) => number {
  const expr = text
    .split(';')[0]!
    .replace(/\(\+ [^)]*\)/, '')
    .replace(/(\w+) if taken/, '($1 * taken)')
    .replace(/ceil\(/g, 'Math.ceil(')
    .trim();
  const f = new Function(...ACT, ...CHIP, `return ${expr};`) as (...v: number[]) => number;
  return (a, c) => f(...ACT.map((k) => a[k]), ...CHIP.map((k) => c[k]));
}

/** The eventsText as event -> count over the activity names. */
function eventsFormula(text: string): (a: Activity) => Record<string, number> {
  const terms = text.split(', ').map((t) => {
    const [name, expr] = t.split(' x ');
    const f = new Function(...ACT, `return ${(expr ?? '1').replace(/(\d)([a-z])/g, '$1*$2')};`) as (...v: number[]) => number;
    return [name!, f] as const;
  });
  return (a) => Object.fromEntries(terms.map(([n, f]) => [n, f(...ACT.map((k) => a[k]))]));
}

const nonZero = (o: Record<string, number | undefined>): Record<string, number> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== 0)) as Record<string, number>;

describe('ISA table prose matches its functions', () => {
  for (const d of INSTRUCTIONS) {
    it(`${d.mnemonic}: costText and eventsText`, () => {
      const cost = costFormula(d.costText);
      const ev = eventsFormula(d.eventsText);
      const r = seededRandom(d.opcode + 1);
      for (let i = 0; i < 200; i++) {
        const { a, c } = randomCase(r);
        expect(cost(a, c), `${d.mnemonic} ${JSON.stringify(a)}`).toBe(d.cycles(a, c));
        expect(nonZero(ev(a))).toEqual(nonZero(d.events(a)));
      }
    });
  }
});

describe('ISA table declarations', () => {
  it('one mnemonic index, in table order', () => {
    INSTRUCTIONS.forEach((d, i) => {
      expect(DEF_INDEX.get(d.mnemonic)).toBe(i);
      expect(BY_MNEMONIC.get(d.mnemonic)).toBe(d);
    });
  });

  it('wmode is an enumerated field whose range is its values', () => {
    for (const m of ['ACC', 'ACCW']) {
      const f = BY_MNEMONIC.get(m)!.fields.find((x) => x.name === 'wmode')!;
      expect(f.values).toEqual({ binary: 0, uint: 1, sint: 2 });
      expect(fieldRange(f)).toEqual([0, 2]);
    }
    expect(WMODE).toEqual({ binary: 0, uint: 1, sint: 2 });
  });

  it('register writes: LI, ADDI, ADD compute, BNZD clobbers, the rest write none', () => {
    const regs = [0, 7, -3, 2 ** 31 - 1];
    const read = (args: Record<string, number>) => (f: string): number | undefined => regs[args[f]!];
    const w = (m: string, args: Record<string, number>): number | undefined => BY_MNEMONIC.get(m)!.regWrite!.value?.(args, read(args));
    expect(w('LI', { rd: 1, imm: -5 })).toBe(-5);
    expect(w('ADDI', { rd: 1, rs: 1, imm: 10 })).toBe(17);
    expect(w('ADDI', { rd: 1, rs: 3, imm: 1 })).toBe(-(2 ** 31)); // 32-bit wrap-around
    expect(w('ADD', { rd: 1, rs: 1, rt: 2 })).toBe(4);
    expect(BY_MNEMONIC.get('BNZD')!.regWrite).toEqual({ dest: 'rs' });
    const writers = INSTRUCTIONS.filter((d) => d.regWrite).map((d) => d.mnemonic);
    expect(writers).toEqual(['LI', 'ADDI', 'ADD', 'BNZD']);
    expect(INSTRUCTIONS.filter((d) => d.branchTarget).map((d) => d.mnemonic)).toEqual(['BNZD', 'JMP']);
  });

  it('CFGW output width: the formula of its semantics', () => {
    expect(BY_MNEMONIC.get('CFGW')!.semantics).toContain('Output width is floor((inw + 2*pw - kw)/sw) + 1.');
    expect(windowOutWidth({ inw: 28, kw: 3, sw: 1, pw: 1 })).toBe(28);
    expect(windowOutWidth({ inw: 28, kw: 3, sw: 2, pw: 1 })).toBe(14);
    expect(windowOutWidth({ inw: 7, kw: 2, sw: 2, pw: 0 })).toBe(3);
  });

  it('the instruction builder checks operand names against the table', () => {
    expect(instr('FIRE', { rn: 1, n: 4, b: 1 })).toEqual({ op: 'FIRE', args: { rn: 1, n: 4, b: 1 } });
    expect(instr('HALT')).toEqual({ op: 'HALT', args: {} });
    expect(() => instr('FIER', {})).toThrow(/no instruction FIER/);
    expect(() => instr('FIRE', { rn: 1, n: 4 })).toThrow(/FIRE needs an integer operand b/);
    expect(() => instr('FIRE', { rn: 1, n: 4, b: 1, bias: 2 })).toThrow(/FIRE has no operand bias/);
  });
});

describe('docs/isa.md class map', () => {
  it('names every instruction of the table and no other', async () => {
    const { CLASS_MAP } = await import('../../isa/isa-doc.js');
    const named = new Set(CLASS_MAP.flatMap(([, ins]) => ins.match(/\b[A-Z]{2,}\b/g) ?? []));
    expect([...named].sort()).toEqual(INSTRUCTIONS.map((d) => d.mnemonic).sort());
  });
});
