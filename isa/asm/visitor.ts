/**
 * CST visitor: turns the parse tree of one line into a plain Statement (no meaning attached yet;
 * isa/asm/build.ts interprets statements).
 */
import type { CstNode, IToken } from 'chevrotain';
import { asmParser } from './grammar.js';

export type Value =
  | { kind: 'num'; text: string; tok: IToken }
  | { kind: 'id'; text: string; tok: IToken }
  | { kind: 'str'; text: string; tok: IToken }
  | { kind: 'list'; items: Value[]; tok: IToken };

export interface Operand {
  name?: string;
  nameTok?: IToken;
  value: Value;
}

export type Body =
  | { kind: 'directive'; name: string; tok: IToken; operands: Operand[] }
  | { kind: 'instr'; mnemonic: string; tok: IToken; operands: Operand[] }
  | { kind: 'row'; values: Value[]; tok: IToken };

export interface Statement {
  label?: { name: string; tok: IToken };
  body?: Body;
}

type Children = Record<string, (CstNode | IToken)[] | undefined>;
const toks = (ch: Children, k: string): IToken[] => (ch[k] ?? []) as IToken[];
const nodes = (ch: Children, k: string): CstNode[] => (ch[k] ?? []) as CstNode[];
const first = <T>(a: T[]): T => a[0] as T;

const BaseVisitor = asmParser.getBaseCstVisitorConstructor();

/** Unquote a string literal (supports \" and \\ escapes). */
function unquote(image: string): string {
  const esc: Record<string, string> = { n: '\n', r: '\r', t: '\t' };
  return image.slice(1, -1).replace(/\\(.)/g, (_m, ch: string) => esc[ch] ?? ch);
}

class StatementVisitor extends BaseVisitor {
  constructor() {
    super();
    this.validateVisitor();
  }
  line(ch: Children): Statement {
    const st: Statement = {};
    const lab = nodes(ch, 'labelDef')[0];
    if (lab) st.label = this.visit(lab) as { name: string; tok: IToken };
    const body = nodes(ch, 'directive')[0] ?? nodes(ch, 'instruction')[0] ?? nodes(ch, 'row')[0];
    if (body) st.body = this.visit(body) as Body;
    return st;
  }
  labelDef(ch: Children): { name: string; tok: IToken } {
    const t = first(toks(ch, 'Identifier'));
    return { name: t.image, tok: t };
  }
  directive(ch: Children): Body {
    const t = first(toks(ch, 'Directive'));
    return { kind: 'directive', name: t.image.toLowerCase(), tok: t, operands: nodes(ch, 'operand').map((n) => this.visit(n) as Operand) };
  }
  instruction(ch: Children): Body {
    const t = first(toks(ch, 'Identifier'));
    return { kind: 'instr', mnemonic: t.image.toUpperCase(), tok: t, operands: nodes(ch, 'operand').map((n) => this.visit(n) as Operand) };
  }
  row(ch: Children): Body {
    const values: Value[] = toks(ch, 'NumberLit')
      .sort((a, b) => a.startOffset - b.startOffset)
      .map((t) => ({ kind: 'num', text: t.image, tok: t }));
    return { kind: 'row', values, tok: (values[0] as Value).tok };
  }
  operand(ch: Children): Operand {
    const value = this.visit(first(nodes(ch, 'value'))) as Value;
    const nt = toks(ch, 'Identifier')[0];
    return nt ? { name: nt.image, nameTok: nt, value } : { value };
  }
  value(ch: Children): Value {
    const n = toks(ch, 'NumberLit')[0];
    if (n) return { kind: 'num', text: n.image, tok: n };
    const i = toks(ch, 'Identifier')[0];
    if (i) return { kind: 'id', text: i.image, tok: i };
    const s = toks(ch, 'StringLit')[0];
    if (s) return { kind: 'str', text: unquote(s.image), tok: s };
    return this.visit(first(nodes(ch, 'list'))) as Value;
  }
  list(ch: Children): Value {
    return { kind: 'list', items: nodes(ch, 'value').map((n) => this.visit(n) as Value), tok: first(toks(ch, 'LBracket')) };
  }
}

export const statementVisitor = new StatementVisitor();
