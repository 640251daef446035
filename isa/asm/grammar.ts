/**
 * Lexer and grammar of the BW-Core assembly language (chevrotain 11). The grammar has no embedded
 * actions: it builds a CST that isa/asm/visitor.ts turns into statements, and isa/asm/build.ts
 * gives them meaning. Assembly is line oriented: isa/asm/index.ts lexes and parses each line on
 * its own (the `line` rule), which is the error recovery: a syntax error costs its line, and every
 * other line is still checked.
 *
 *   line       := (Identifier ':')? (directive | instruction | row)?
 *   directive  := Directive operand*
 *   instruction:= Identifier (operand (','? operand)*)?
 *   row        := Number (','? Number)*
 *   operand    := Identifier '=' value | value
 *   value      := Number | Identifier | String | '[' (value (',' value)*)? ']'
 */
import { createToken, CstParser, Lexer, type TokenType } from 'chevrotain';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r]+/, group: Lexer.SKIPPED });
export const Comment = createToken({ name: 'Comment', pattern: /[;#][^\n]*/, group: Lexer.SKIPPED });
export const Directive = createToken({ name: 'Directive', pattern: /\.[A-Za-z_][A-Za-z0-9_]*/ });
export const StringLit = createToken({ name: 'StringLit', pattern: /"(?:[^"\\\n]|\\.)*"/ });
export const NumberLit = createToken({
  name: 'NumberLit',
  pattern: /-?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|\d[\d_]*(?:\.\d+)?(?:[eE][-+]?\d+)?)/,
});
export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_.-]*/ });
export const Colon = createToken({ name: 'Colon', pattern: /:/ });
export const Comma = createToken({ name: 'Comma', pattern: /,/ });
export const Equals = createToken({ name: 'Equals', pattern: /=/ });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/ });
export const RBracket = createToken({ name: 'RBracket', pattern: /]/ });

export const ALL_TOKENS: TokenType[] = [
  WhiteSpace,
  Comment,
  Directive,
  StringLit,
  NumberLit,
  Identifier,
  Colon,
  Comma,
  Equals,
  LBracket,
  RBracket,
];

export const asmLexer = new Lexer(ALL_TOKENS, { positionTracking: 'full', ensureOptimizations: false });

export class AsmParser extends CstParser {
  constructor() {
    super(ALL_TOKENS, { maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  line = this.RULE('line', () => {
    this.OPTION(() => this.SUBRULE(this.labelDef));
    this.OPTION2(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.directive) },
        { ALT: () => this.SUBRULE(this.instruction) },
        { ALT: () => this.SUBRULE(this.row) },
      ]);
    });
  });

  labelDef = this.RULE('labelDef', () => {
    this.CONSUME(Identifier);
    this.CONSUME(Colon);
  });

  directive = this.RULE('directive', () => {
    this.CONSUME(Directive);
    this.MANY(() => {
      this.OPTION(() => this.CONSUME(Comma));
      this.SUBRULE(this.operand);
    });
  });

  instruction = this.RULE('instruction', () => {
    this.CONSUME(Identifier);
    this.OPTION(() => {
      this.SUBRULE(this.operand);
      this.MANY(() => {
        this.OPTION2(() => this.CONSUME(Comma));
        this.SUBRULE2(this.operand);
      });
    });
  });

  row = this.RULE('row', () => {
    this.CONSUME(NumberLit);
    this.MANY(() => {
      this.OPTION(() => this.CONSUME(Comma));
      this.CONSUME2(NumberLit);
    });
  });

  operand = this.RULE('operand', () => {
    this.OPTION(() => {
      this.CONSUME(Identifier);
      this.CONSUME(Equals);
    });
    this.SUBRULE(this.value);
  });

  value = this.RULE('value', () => {
    this.OR([
      { ALT: () => this.CONSUME(NumberLit) },
      { ALT: () => this.CONSUME(Identifier) },
      { ALT: () => this.CONSUME(StringLit) },
      { ALT: () => this.SUBRULE(this.list) },
    ]);
  });

  list = this.RULE('list', () => {
    this.CONSUME(LBracket);
    this.MANY_SEP({ SEP: Comma, DEF: () => this.SUBRULE(this.value) });
    this.CONSUME(RBracket);
  });
}

/** One shared parser instance (chevrotain parsers are reusable: set `input`, call a rule). */
export const asmParser = new AsmParser();
