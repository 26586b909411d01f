/** Test helper: which SatnavError a promise rejects with. */
import { isSatnavError } from '../errors.ts';

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
