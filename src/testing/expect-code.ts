/** Test helper: which SatnavError a promise rejects with. */
import { isSatnavError, type SatnavError } from '../errors.ts';

/** The `code` of the SatnavError `p` rejects with, or 'no error'; any other rejection is rethrown. */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isSatnavError(e)) return e.code;
    throw e;
  }
  return 'no error';
}

/** The `code` of the SatnavError `fn` throws, or 'no error'; any other exception is rethrown. */
export function thrownCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isSatnavError(e)) return e.code;
    throw e;
  }
  return 'no error';
}

/** The SatnavError `p` rejects with (for tests that check its message or details); fails if it resolves. */
export async function rejectedWith(p: Promise<unknown>): Promise<SatnavError> {
  try {
    await p;
  } catch (e) {
    if (isSatnavError(e)) return e;
    throw e;
  }
  throw new Error('expected a SatnavError, but the promise resolved');
}

/** The SatnavError `fn` throws; fails if it returns. */
export function thrownError(fn: () => unknown): SatnavError {
  try {
    fn();
  } catch (e) {
    if (isSatnavError(e)) return e;
    throw e;
  }
  throw new Error('expected a SatnavError, but nothing was thrown');
}
