/** The file helpers (clear read errors, atomic writes) live in isa/io.ts, the bottom layer, so that models/ can use them too. */
export * from '../isa/io.js';
