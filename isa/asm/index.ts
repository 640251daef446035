/**
 * The BW-Core assembler: text -> BwcContainer. Every line is lexed, parsed and interpreted; all
 * diagnostics (lexical, syntactic, semantic, and the container checks against the chip config)
 * are collected and thrown together as one AssemblyError, each as file:line:column.
 */
import type { IToken } from 'chevrotain';
import type { BwcContainer } from '../container-types.js';
import { AssemblyError, type SourceDiagnostic } from '../../base/errors.js';
import { Builder } from './build.js';
import { asmLexer, asmParser } from './grammar.js';
import { statementVisitor, type Statement } from './visitor.js';
import { excerpt, oneLine } from '../excerpt.js';

export { NEURON_COLUMNS, ROUTE_COLUMNS, parseNumber } from './build.js';

/** Diagnostics reported at most per run (the rest are counted in a last diagnostic). */
export const MAX_DIAGNOSTICS = 100;

/** Assemble `text` (named `file` in diagnostics). Throws AssemblyError listing every problem. */
export function assemble(text: string, file: string): BwcContainer {
  if (text.startsWith('BWC1') && text.slice(0, 16).includes('\u0000')) {
    throw new AssemblyError([{ file, line: 1, column: 1, message: 'this is a .bwc container, not assembly text (bwsnn disasm turns it into assembly)' }]);
  }
  const b = new Builder(file);
  // A UTF-8 byte order mark is not part of the program (columns count from after it).
  const src = text.startsWith('\ufeff') ? text.slice(1) : text;
  // Lex and parse line by line: one syntax error costs one line, and tokens die young (a large
  // program never holds all its tokens at once).
  const lines = src.split('\n');
  let last: IToken | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const lexed = asmLexer.tokenize(lines[i] as string);
    for (const e of lexed.errors) {
      b.diags.push({ file, line, column: e.column ?? 1, message: `unexpected character ${excerpt((lines[i] as string).slice(e.offset, e.offset + 1)).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)}` });
    }
    const toks = lexed.tokens;
    if (toks.length === 0) continue;
    for (const t of toks) {
      t.startLine = line;
      t.endLine = line;
    }
    last = toks[toks.length - 1];
    asmParser.input = toks;
    const cst = asmParser.line();
    if (asmParser.errors.length) {
      const e = asmParser.errors[0];
      const t = e?.token;
      const ok = t !== undefined && t.startLine !== undefined && !Number.isNaN(t.startLine);
      const at = ok ? t : (toks[toks.length - 1] as IToken);
      const column = ok ? (at.startColumn ?? 1) : (at.endColumn ?? at.startColumn ?? 0) + 1;
      b.diags.push({ file, line, column, message: oneLine(`syntax error: ${syntaxMessage(e?.message ?? '', ok ? t.image : undefined)}`).replace(/[\u2028\u2029]/g, ' ') });
      continue;
    }
    b.statement(statementVisitor.visit(cst) as Statement);
  }
  const c = b.finish(last);
  if (!c || b.diags.length) {
    const diags = [...b.diags].sort((x, y) => x.line - y.line || x.column - y.column);
    if (diags.length > MAX_DIAGNOSTICS) {
      const next = diags[MAX_DIAGNOSTICS] as SourceDiagnostic;
      const more = diags.length - MAX_DIAGNOSTICS;
      diags.length = MAX_DIAGNOSTICS;
      diags.push({ ...next, message: `${more} more errors not shown (is this an assembly file?)` });
    }
    throw new AssemblyError(diags);
  }
  return c;
}

function syntaxMessage(msg: string, image: string | undefined): string {
  const one = msg.replace(/\s+/g, ' ').trim();
  if (image !== undefined && /Expecting/.test(one)) return `unexpected ${JSON.stringify(image)} (${one})`;
  return one || 'unexpected end of line';
}
