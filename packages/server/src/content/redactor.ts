import { type Redactor, createRedactor } from '@lockstep/redact';

let redactor: Redactor | undefined;

/**
 * The redactor of the server's second check: every detector, shape masking (so that offsets of
 * masked spans stay valid). Built once per thread; if it cannot be built the error propagates and
 * the batch is refused, never stored unchecked.
 */
export function serverRedactor(): Redactor {
  redactor ??= createRedactor({ style: 'shape' });
  return redactor;
}
