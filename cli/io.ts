/** The file helpers (clear read errors, atomic writes) live in base/io.ts; this re-export keeps old import paths compiling. */
export * from '../base/io.js';
