/** Moved to base/io.ts (file I/O is not ISA); this re-export keeps old import paths compiling. */
export * from '../base/io.js';
