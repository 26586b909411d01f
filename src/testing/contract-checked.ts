/**
 * Test helpers that hold connectors to the daemons' REST contract (upstream swagger): after each
 * test, no exchange may have violated it, from either side.
 */
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startDevnet, type Devnet } from '../../devnet/index.ts';
import { fakeDaemon, type Handler } from '../../devnet/contract/fake-daemon.ts';
import type { Api } from '../../devnet/contract/openapi.ts';
import { recordingFetch, type RecordingFetch } from '../../devnet/contract/recording-fetch.ts';

export interface CheckedDevnet {
  /** Started in beforeAll: read it inside tests and hooks only. */
  readonly devnet: Devnet;
  /** A fetch that records and checks every exchange with that daemon's REST API. */
  fetch(api: Api): typeof globalThis.fetch;
}

/**
 * One devnet for the test file (validate: true, so it checks what it receives and answers);
 * connectors reach it through recording fetches that check what they send and get.
 */
export function checkedDevnet(): CheckedDevnet {
  let devnet: Devnet | undefined;
  const recorders = new Map<Api, RecordingFetch>();
  beforeAll(async () => {
    devnet = await startDevnet({ basePort: 0, validate: true });
  });
  afterAll(async () => {
    await devnet?.stop();
  });
  afterEach(() => {
    expect([...recorders.values()].flatMap((r) => r.violations())).toEqual([]);
    expect(devnet?.control.contractViolations()).toEqual([]);
  });
  return {
    get devnet() {
      if (!devnet) throw new Error('checkedDevnet: devnet not started yet (use it inside tests or hooks)');
      return devnet;
    },
    fetch(api) {
      let r = recorders.get(api);
      if (!r) recorders.set(api, (r = recordingFetch(api)));
      return r.fetch;
    },
  };
}

/**
 * A fake daemon per test answering from recorded `routes`; after each test, neither the requests
 * it got nor its recorded answers may break the contract.
 */
export function checkedFakeDaemon(api: Api): (routes: Record<string, Handler>) => ReturnType<typeof fakeDaemon> {
  let current: ReturnType<typeof fakeDaemon> | undefined;
  afterEach(() => {
    expect(current?.violations() ?? []).toEqual([]);
    current = undefined;
  });
  return (routes) => (current = fakeDaemon(api, routes));
}
