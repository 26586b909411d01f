import { ERROR_CODES, isErrorCode, PAGE_ERRORS, type PageCode } from '../error-codes.ts';
import { isSatnavError } from '../errors.ts';
import type { WeblnErrorName } from './page-channel.ts';

/** What a page learns of a failure; the error classes' names are the `webln` package's. */
export interface PageError {
  code: PageCode;
  message: string;
  name: WeblnErrorName;
}

/**
 * The reply a page gets for anything a request threw, as ERROR_CODES says:
 * its page code and WebLN class, and the code's fixed message unless the code
 * may `detail` the page's own request. Anything else (a bug, a code unknown at
 * run time) is INTERNAL and says nothing more.
 */
export function toPageError(e: unknown): PageError {
  const code = isSatnavError(e) && isErrorCode(e.code) ? e.code : 'INTERNAL';
  const { page, detail }: { page: PageCode; detail?: true } = ERROR_CODES[code];
  const { name, message } = PAGE_ERRORS[page];
  return { code: page, message: detail && isSatnavError(e) ? e.message : message, name };
}

/** The WebLN error class a page sees for a wallet code (InternalError for one not in the table). */
export function weblnErrorName(code: string): WeblnErrorName {
  return PAGE_ERRORS[isErrorCode(code) ? ERROR_CODES[code].page : 'INTERNAL'].name;
}
