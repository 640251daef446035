/** Provenance of energy table entries: the one definition lives in isa/provenance.ts (chip timing fields use it too). */
export * from '../../isa/provenance.js';
