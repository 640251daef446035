/** Moved to base/errors.ts (errors are not ISA); this re-export keeps old import paths compiling. */
export * from '../base/errors.js';
