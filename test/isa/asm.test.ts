import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { assemble } from '../../isa/asm/index.js';
import { writeContainer } from '../../isa/container.js';
import { disassemble } from '../../isa/disasm.js';
import { AssemblyError, type SourceDiagnostic } from '../../base/errors.js';
import { INSTRUCTIONS } from '../../isa/table.js';
import { arbContainer } from './arbitrary.js';
import { tinyContainer } from './fixtures.js';

const HEAD = '.chip bw-core-4x4 meshX=2 meshY=1\n.model name="t" timesteps=1 input=[4] classes=1\n';
const TAIL = '.probe layer="o" kind=membrane shape=[1]\n.entry core=0 base=0\n    0\n.readout 0\n';

function diags(text: string): SourceDiagnostic[] {
  try {
    assemble(text, 'e.s');
  } catch (e) {
    if (e instanceof AssemblyError) return [...e.diagnostics];
    throw e;
  }
  throw new Error('assembled without errors');
}
const where = (d: SourceDiagnostic[]): string[] => d.map((x) => `${x.line}:${x.column}: ${x.message}`);

const EXAMPLES = readdirSync('isa/examples').filter((f) => f.endsWith('.s'));

describe('assembler and disassembler round trips', () => {
  test('there is an example per instruction class and every instruction is used', () => {
    const used = new Set<string>();
    for (const f of EXAMPLES) for (const core of assemble(readFileSync(`isa/examples/${f}`, 'utf8'), f).cores) for (const i of core.program) used.add(i.op);
    expect([...used].sort()).toEqual(INSTRUCTIONS.map((d) => d.mnemonic).sort());
  });

  test.each(EXAMPLES)('%s assembles, disassembles and re-assembles to identical bytes', (f) => {
    const c = assemble(readFileSync(`isa/examples/${f}`, 'utf8'), f);
    const bytes = writeContainer(c);
    const text = disassemble(c);
    const again = assemble(text, `${f}.dis`);
    expect(writeContainer(again)).toEqual(bytes);
    expect(disassemble(again)).toBe(text);
  });

  test('asm(disasm(c)) writes the same bytes as c, for random valid containers', () => {
    fc.assert(
      fc.property(arbContainer(), (c) => {
        const again = assemble(disassemble(c), 'p.s');
        expect(writeContainer(again)).toEqual(writeContainer(c));
      }),
      { numRuns: 300 },
    );
  });

  test('disassembly emits labels for branch targets', () => {
    const c = tinyContainer();
    c.cores[0]?.program.splice(4, 0, { op: 'BNZD', args: { rs: 2, target: 1 } });
    const text = disassemble(c);
    expect(text).toContain('L1:\n    ACC acc=0');
    expect(text).toContain('    BNZD r2, L1\n');
  });
});

describe('assembly syntax', () => {
  test('literals, comments, labels, positional and named operands', () => {
    const c = assemble(
      `${HEAD}.core 0 # the only core
start:  LI r1, 0x10        ; hex
        li R2, -0b101      ; binary, negative, lower case mnemonic
        ADDI rd=r3, rs=r1, imm=1_000
        ADD r4 r1 r2       ; commas are optional
loop:
        BNZD r1, loop
        JMP start
        FIRE r0, n=1, b=0
        HALT
.synapses
        0xffff_ffff_ffff_ffff 0b11 7
.neurons
        1 -2 0 1 0 0 0
${TAIL}`,
      'ok.s',
    );
    const p = c.cores[0]?.program;
    expect(p).toEqual([
      { op: 'LI', args: { rd: 1, imm: 16 } },
      { op: 'LI', args: { rd: 2, imm: -5 } },
      { op: 'ADDI', args: { rd: 3, rs: 1, imm: 1000 } },
      { op: 'ADD', args: { rd: 4, rs: 1, rt: 2 } },
      { op: 'BNZD', args: { rs: 1, target: 4 } },
      { op: 'JMP', args: { target: 0 } },
      { op: 'FIRE', args: { rn: 0, n: 1, b: 0 } },
      { op: 'HALT', args: {} },
    ]);
    expect(Array.from(c.cores[0]?.synapses ?? [])).toEqual([0xffffffff, 0xffffffff, 3, 0, 7, 0]);
    expect(c.cores[0]?.neurons.bias).toEqual(Int32Array.of(-2));
    expect(c.meta.encoding).toEqual({ kind: 'binary', threshold: 0.5 });
  });

  test('CRLF line endings and a UTF-8 byte order mark are accepted', () => {
    const f = 'isa/examples/loops.s';
    const text = readFileSync(f, 'utf8');
    const crlf = `\ufeff${text.replace(/\n/g, '\r\n')}`;
    expect(writeContainer(assemble(crlf, f))).toEqual(writeContainer(assemble(text, f)));
  });

  test('directive key errors', () => {
    expect(where(diags(`.chip bw-core-4x4 meshZ=3\n${HEAD.split('\n')[1]}\n`))[0]).toMatch(/^1:19: \.chip: unknown key meshZ \(known: name, meshX, /);
    expect(where(diags(`${HEAD}.core 0\n HALT\n.input core=0 core=1 base=0\n${TAIL}`))[0]).toBe('5:15: .input: key core given twice');
    expect(where(diags(`${HEAD}.core 0\n HALT\n.input base=0\n${TAIL}`))[0]).toBe('5:1: .input: missing core=');
    expect(where(diags(`.model timesteps=1 input=[2] classes=1 encoding=ternary\n`))[0]).toBe('1:49: .model: unknown encoding ternary (binary or multibit)');
    expect(where(diags(`${HEAD}.core 0\n HALT\n.probe layer="x" kind=volts shape=[1]\n`))[0]).toBe('5:23: .probe: kind must be spikes or membrane, got volts');
  });

  test('chip presets and overrides, model metadata', () => {
    const c = assemble(
      `.chip name="my chip" meshX=3 clockHz=1.5e8\n.model name="m" timesteps=7 input=[1, 2, 3] encoding=multibit bits=3 classes=1\n.core 2\n HALT\n.neurons\n 0 0 0 1 0 0 0\n${TAIL.replace('core=0', 'core=2')}`,
      'c.s',
    );
    expect(c.chip.name).toBe('my chip');
    expect(c.chip.meshX).toBe(3);
    expect(c.chip.clockHz).toBe(1.5e8);
    expect(c.meta).toEqual({ name: 'm', timesteps: 7, inputShape: [1, 2, 3], encoding: { kind: 'multibit', bits: 3 }, classes: 1 });
  });
});

describe('assembler diagnostics', () => {
  test('several errors in one run, each with its exact line:column', () => {
    const text = [
      '.chip bw-core-4x4 meshX=2 meshY=1', // 1
      '.model name="t" timesteps=1 input=[4] classes=1', // 2
      '.core 0', // 3
      '    FOO r1', // 4: unknown mnemonic at col 5
      '    LI r1, 5, 6', // 5: wrong operand count at col 15
      'x:  BNZD r1, nowhere', // 6: undefined label at col 14
      'x:  NOP', // 7: duplicate label at col 1
      '    ADDI r1, r2, 99999999', // 8: out of range at col 18
      '    .bogus', // 9: unknown directive at col 5
      '    LI 3, 0', // 10: register expected at col 8
      '    FIRE r0, 1', // 11: missing operand
      '    HALT )', // 12: lexer error at col 10
      '    LI r1, , 2', // 13: syntax error at col 12
      '    JMP 9', // 14: target outside the program (container check)
      '.neurons', // 15
      '    1 2 3', // 16: neuron row with 3 values at col 5
      '    99999 0 0 1 0 0 0', // 17: theta out of range (container check)
      TAIL,
    ].join('\n');
    expect(where(diags(text))).toEqual([
      '4:5: unknown mnemonic FOO',
      '5:15: LI: wrong operand count: expects 2 (rd, imm), got 3',
      '6:14: undefined label nowhere (in core 0)',
      '7:1: duplicate label x (first defined at line 6)',
      '8:18: ADDI operand imm = 99999999 is out of range [-8388608, 8388607]',
      '9:5: unknown directive .bogus (known: .chip, .format, .model, .core, .synapses, .neurons, .route, .input, .probe, .entry, .readout)',
      '10:8: LI operand rd: expected a register r0..r15, got 3',
      '11:5: FIRE: wrong operand count: expects 3 (rn, n, b), got 2; missing b',
      '12:10: unexpected character ")"',
      expect.stringMatching(/^13:12: syntax error: unexpected "," /) as unknown as string,
      '14:5: instruction 8: JMP target 9 is outside the program (0..8)',
      '16:5: neuron row has 3 values, expected 9 (theta bias vreset g0 g1 leak flags decay sdecay) or the first 7',
      '17:5: neuron 0: theta = 99999 is outside [-32768, 32767]',
    ]);
  });

  test('AssemblyError message lists every diagnostic as file:line:column', () => {
    try {
      assemble(`${HEAD}.core 0\n  FOO\n  BAR\n.neurons\n 0 0 0 1 0 0 0\n${TAIL}`, 'two.s');
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(AssemblyError);
      expect((e as AssemblyError).message).toBe('two.s:4:3: unknown mnemonic FOO\ntwo.s:5:3: unknown mnemonic BAR');
      expect((e as AssemblyError).exitCode).toBe(1);
    }
  });

  test('container checks are reported at the line that caused them', () => {
    const text = `${HEAD}.core 0\n    SEND r0, 1, 0, 1, 1\n    HALT\n.neurons\n    0 0 0 1 0 0 0\n.route\n    7 0 0 0\n.input core=1 base=0\n    0 0\n${TAIL}`;
    expect(where(diags(text))).toEqual([
      '9:5: list 0 destination 0: core 7 is outside the mesh (0..1)',
      '10:1: block 0: core 1 has no program on the chip',
    ]);
    const noRoute = `${HEAD}.core 0\n    SEND r0, 1, 3, 1, 1\n    HALT\n.neurons\n    0 0 0 1 0 0 0\n${TAIL}`;
    expect(where(diags(noRoute))).toEqual(["4:5: instruction 0: SEND route 3 is outside the core's 0 routing lists"]);
  });

  test('a binary container or garbage is refused with a bounded list of diagnostics', () => {
    const bwc = new TextDecoder().decode(writeContainer(tinyContainer()));
    expect(where(diags(bwc))).toEqual(['1:1: this is a .bwc container, not assembly text (bwsnn disasm turns it into assembly)']);
    const garbage = Array.from({ length: 500 }, (_, i) => `  FOO${i}`).join('\n');
    const d = diags(garbage);
    expect(d).toHaveLength(101);
    expect(d[100]?.message).toBe('401 more errors not shown (is this an assembly file?)'); // 500 lines + missing .model
    expect(d[100]?.line).toBe(101);
  });

  test('malformed and real literals', () => {
    expect(where(diags(`${HEAD}.core 0\n LI r1, 0x_\n LI r2, 0b__\n LI r3, 1.5\n${TAIL}`)).slice(0, 3)).toEqual([
      '4:9: LI operand imm: expected an integer, got 0x_',
      '5:9: LI operand imm: expected an integer, got 0b__',
      '6:9: LI operand imm: expected an integer, got 1.5',
    ]);
    const c = assemble(`.chip clockHz=1_000_000.5\n.model timesteps=1 input=[1] classes=1 threshold=-2.5e-1\n.core 0\n HALT\n.neurons\n 0 0 0 1 0 0 0\n${TAIL}`, 'r.s');
    expect(c.chip.clockHz).toBe(1000000.5);
    expect(c.meta.encoding).toEqual({ kind: 'binary', threshold: -0.25 });
  });

  test('misc refusals', () => {
    expect(where(diags(`${HEAD}  HALT\n${TAIL}`))[0]).toBe('3:3: instruction HALT must follow a .core directive');
    expect(where(diags('.core 0\n HALT\n'))).toEqual(['2:2: missing .model directive (name, timesteps, input, encoding, classes)']);
    expect(where(diags(`${HEAD}.core 0\n HALT\n.core 0\n HALT\n${TAIL}`))).toContain('5:1: duplicate core 0');
    expect(where(diags(`.chip nosuch\n${HEAD.split('\n')[1]}\n.core 0\n HALT\n${TAIL}`))[0]).toBe('1:7: .chip: unknown preset nosuch (known: bw-core-4x4, bw-core-8x8, bw-core-8x8-wide, bw-core-32x32-wide)');
    expect(where(diags(`.chip meshX=0\n${HEAD.split('\n')[1]}\n.core 0\n HALT\n${TAIL}`))[0]).toBe('1:1: field "meshX" = 0 is out of range [1, 64] cores');
    expect(where(diags(`${HEAD}.core 0\n HALT\n.synapses\n 0x1_0000_0000_0000_0000\n${TAIL}`))[0]).toBe('6:2: synapse word 0x1_0000_0000_0000_0000 is not an unsigned 64-bit integer');
    expect(where(diags(`${HEAD}.core 0\n HALT\n 1 2\n${TAIL}`))[0]).toBe('5:2: a row of numbers must follow .synapses, .neurons, .route, .input or .entry');
    expect(where(diags(`${HEAD}.core 0\n ACC acc=0, rn=r0, rw=r0, ra=r0, n=1, len=1, wmode=0, wq=1, ap=1, ap=2\n${TAIL}`))[0]).toBe('4:67: ACC: operand ap given twice');
    expect(where(diags(`${HEAD}.core 0\n FIRE r0, n=1, x=0\n${TAIL}`))[0]).toBe('4:16: FIRE has no operand x (operands: rn, n, b)');
    expect(where(diags(`${HEAD}.core 0\n HALT\n.entry core=0 base=0\n${TAIL}`))[0]).toBe('5:1: .entry must follow a .probe directive');
    expect(where(diags(`${HEAD}.core 0\n HALT\n${TAIL}.entry core=0 base=0\n`)).at(-1)).toBe('9:1: .entry must follow a .probe directive');
  });
});

describe('assembler robustness', () => {
  test('mangled sources either assemble or raise AssemblyError with positions inside the text', () => {
    const sources = EXAMPLES.map((f) => readFileSync(`isa/examples/${f}`, 'utf8'));
    const CHARS = ['', ' ', '\n', ',', '=', ':', '[', ']', '"', '-', '0', '9', 'x', 'r', '.', ';', 'Z', '\t', '0x', '0x_', '0b_', '_', 'e5', 'r16', '.core 1\n'];
    fc.assert(
      fc.property(
        fc.nat({ max: sources.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.constantFrom(...CHARS)), { minLength: 1, maxLength: 4 }),
        (si, edits) => {
          let t = sources[si] as string;
          for (const [pos, del, ins] of edits) {
            const p = pos % (t.length + 1);
            t = t.slice(0, p) + ins + t.slice(p + del);
          }
          const lines = t.split('\n').length;
          try {
            assemble(t, 'm.s');
          } catch (e) {
            if (!(e instanceof AssemblyError)) throw e;
            expect(e.diagnostics.length).toBeGreaterThan(0);
            for (const d of e.diagnostics) {
              expect(d.line).toBeGreaterThanOrEqual(1);
              expect(d.line).toBeLessThanOrEqual(lines);
              expect(d.column).toBeGreaterThanOrEqual(1);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
