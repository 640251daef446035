/**
 * A model that is valid but does not fit the chip (cores, neurons, synapse memory, axon lines,
 * routing entries, instruction memory, an instruction field's width). The spread strategy falls
 * back to pack on this class only; any other error is a real refusal and stops the compile.
 */
import { BwsnnError } from '../base/errors.js';

export class FitError extends BwsnnError {
  override readonly name = 'FitError';
}
