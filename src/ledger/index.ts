export { csvCell, entriesToCsv } from './csv.ts';
export {
  DIRECTION_OF,
  LEDGER_KINDS,
  LEDGER_STATUSES,
  LIVE_STATUSES,
  NEXT_STATUS,
  preimageMatches,
  type LedgerBegin,
  type LedgerEntry,
  type LedgerKind,
  type LedgerPatch,
  type LedgerStatus,
} from './entry.ts';
export {
  CHUNK,
  LEDGER_SCHEMA_VERSION,
  Ledger,
  type LedgerFilter,
  type LedgerOptions,
  type ReconcileResult,
  type TrackResult,
} from './ledger.ts';
