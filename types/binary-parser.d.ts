/**
 * Ambient declaration of the part of binary-parser 2 that bwsnn uses. The package ships types for
 * its CommonJS build only; under NodeNext ESM resolution TypeScript does not find them.
 */
declare module 'binary-parser' {
  type LengthOption = number | string | ((this: Record<string, unknown>) => number);
  interface ParserOptions {
    length?: LengthOption;
    type?: string | Parser;
    encoding?: string;
    readUntil?: 'eof' | ((item: unknown, buffer: Uint8Array) => boolean);
    assert?: number | string | ((value: unknown) => boolean);
    formatter?: (value: never) => unknown;
    zeroTerminated?: boolean;
    clone?: boolean;
  }
  export class Parser {
    static start(): Parser;
    endianness(e: 'little' | 'big'): this;
    useContextVars(use?: boolean): this;
    uint8(name: string, options?: ParserOptions): this;
    uint16le(name: string, options?: ParserOptions): this;
    uint32le(name: string, options?: ParserOptions): this;
    int32le(name: string, options?: ParserOptions): this;
    doublele(name: string, options?: ParserOptions): this;
    string(name: string, options: ParserOptions): this;
    buffer(name: string, options: ParserOptions): this;
    array(name: string, options: ParserOptions): this;
    nest(name: string, options: ParserOptions): this;
    seek(relOffset: number): this;
    parse(buffer: Uint8Array): Record<string, unknown>;
  }
}
