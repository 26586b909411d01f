import type { LedgerEntry } from './entry.ts';

/**
 * Ledger export as CSV (RFC 4180): header row, CRLF line ends, a field quoted
 * when it holds a comma, quote, CR or LF, quotes doubled. Descriptions and
 * origins come from strangers, so any cell a spreadsheet would read as a
 * formula (OWASP: leading = + - @ tab CR) gets a leading apostrophe.
 * Preimages are left out: an L402 preimage is a bearer credential.
 */
const COLUMNS: ReadonlyArray<readonly [header: string, cell: (e: LedgerEntry) => string | number | undefined]> = [
  ['created_at', (e) => new Date(e.createdAt).toISOString()],
  ['updated_at', (e) => new Date(e.updatedAt).toISOString()],
  ['id', (e) => e.id],
  ['origin', (e) => e.origin],
  ['kind', (e) => e.kind],
  ['source', (e) => e.source],
  ['rail', (e) => e.rail],
  ['direction', (e) => e.direction],
  ['status', (e) => e.status],
  ['amount_sat', (e) => e.amountSat],
  ['fee_sat', (e) => e.feeSat],
  ['max_fee_sat', (e) => e.maxFeeSat],
  ['payment_hash', (e) => e.paymentHash],
  ['description', (e) => e.description],
  ['failure_reason', (e) => e.failureReason],
  ['reservation_id', (e) => e.reservationId],
  ['payment_request', (e) => e.paymentRequest],
];

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  let s = String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function entriesToCsv(entries: readonly LedgerEntry[]): string {
  const rows = [COLUMNS.map(([header]) => header), ...entries.map((e) => COLUMNS.map(([, cell]) => cell(e)))];
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
