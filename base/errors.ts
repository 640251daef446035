/**
 * The project's one error type for bad input. Every refusal of a file, a model, a config or a
 * command-line value is a BwsnnError whose message names the file and the place (line:column,
 * section and byte offset, node name, field path). The CLI prints `message` on one line and exits
 * with `exitCode` (1 for bad input); anything else that escapes is a bug.
 */
export class BwsnnError extends Error {
  override readonly name: string = 'BwsnnError';
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** A malformed .bwc container: names the section and the byte offset. */
export class ContainerError extends BwsnnError {
  readonly section: string;
  readonly offset: number;
  constructor(file: string, section: string, offset: number, what: string) {
    super(`${file}: section ${section} at byte ${offset}: ${what}`);
    this.section = section;
    this.offset = offset;
  }
}

/** One diagnostic of the assembler (several are collected per run). */
export interface SourceDiagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** Assembly errors: every diagnostic the assembler could recover, each as file:line:column. */
export class AssemblyError extends BwsnnError {
  readonly diagnostics: readonly SourceDiagnostic[];
  constructor(diagnostics: readonly SourceDiagnostic[]) {
    super(diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`).join('\n'));
    this.diagnostics = diagnostics;
  }
}
