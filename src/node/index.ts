export type * from './types.ts';
export { DEFAULT_TIMEOUT_MS, type RestConfig } from './http.ts';
export { LndRest, type LndRestOptions } from './lnd-rest.ts';
export { TapdRest, type TapdRestOptions } from './tapd-rest.ts';
export { certificateFingerprint, DEFAULT_REST_PORT, parseLndConnect, parseManualConnection, type NodeConnection } from './lndconnect.ts';
export { checkNetwork, invoiceMatchesNode } from './network-check.ts';
