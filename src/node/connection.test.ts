/**
 * The node connection the popup saves: the connect form → StoredConnection (pure), then probe
 * and balances against the devnet, every exchange checked against lnd's and tapd's swagger by a
 * recording fetch (both daemons behind one fetch, told apart by origin) and by the devnet itself.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Devnet } from '../../devnet/index.ts';
import { recordingFetch, type RecordingFetch } from '../../devnet/contract/recording-fetch.ts';
import { SatnavError } from '../errors.ts';
import type { NodeConnectRequest } from '../messages/ui-api.ts';
import { checkedDevnet } from '../testing/contract-checked.ts';
import { codeOf, rejectedWith, thrownCode, thrownError } from '../testing/expect-code.ts';
import type { AssetNode, AssetNodeInfo } from './types.ts';
import {
  checkedTapd,
  connectionFromRequest,
  connectorsFor,
  probeConnection,
  readBalances,
  statusOf,
  type NodeProfile,
  type StoredConnection,
} from './connection.ts';

const MAC = '0201036c6e6402f801'; // the first bytes of a v2 macaroon: enough for the parser
const MAC_B64URL = Buffer.from(MAC, 'hex').toString('base64url');
const MAC_B64 = Buffer.from(MAC, 'hex').toString('base64');
const OTHER_MAC = '0201036c6e6402aaaa';

describe('connectionFromRequest', () => {
  it('an lndconnect URI: https REST URL and the macaroon as hex', () => {
    expect(connectionFromRequest({ lndconnect: `  lndconnect://Node.Example:8443?macaroon=${MAC_B64URL}  ` })).toEqual({
      restUrl: 'https://node.example:8443',
      macaroonHex: MAC,
      simulated: false,
    });
  });

  it('the lndconnect URI wins over manual fields given with it', () => {
    const conn = connectionFromRequest({ lndconnect: `lndconnect://node.example?macaroon=${MAC_B64URL}`, restUrl: 'https://elsewhere.example', macaroon: OTHER_MAC });
    expect([conn.restUrl, conn.macaroonHex]).toEqual(['https://node.example:8080', MAC]);
  });

  it('the manual form: URL without trailing slash, macaroon in hex or base64', () => {
    expect(connectionFromRequest({ restUrl: ' https://node.example:8080/ ', macaroon: ` ${MAC.toUpperCase()} ` })).toEqual({
      restUrl: 'https://node.example:8080',
      macaroonHex: MAC,
      simulated: false,
    });
    expect(connectionFromRequest({ restUrl: 'https://node.example/lnd', macaroon: MAC_B64 }).macaroonHex).toBe(MAC);
  });

  it('a blank lndconnect falls through to the manual form', () => {
    expect(connectionFromRequest({ lndconnect: '   ', restUrl: 'https://node.example', macaroon: MAC }).restUrl).toBe('https://node.example');
  });

  it('tapd URL and macaroon are kept; a blank tapd URL means no tapd', () => {
    const conn = connectionFromRequest({ restUrl: 'https://node.example:8080', macaroon: MAC, tapdUrl: 'https://node.example:8089/', tapdMacaroon: OTHER_MAC });
    expect([conn.tapdUrl, conn.tapdMacaroonHex]).toEqual(['https://node.example:8089', OTHER_MAC]);
    const none = connectionFromRequest({ restUrl: 'https://node.example:8080', macaroon: MAC, tapdUrl: '  ', tapdMacaroon: OTHER_MAC });
    expect('tapdUrl' in none || 'tapdMacaroonHex' in none).toBe(false);
  });

  it('label trimmed; a blank label is left out', () => {
    const base = { restUrl: 'https://node.example', macaroon: MAC };
    expect(connectionFromRequest({ ...base, label: '  My node \n' }).label).toBe('My node');
    expect('label' in connectionFromRequest({ ...base, label: '   ' })).toBe(false);
  });

  it('simulated is recorded as given', () => {
    const req = { restUrl: 'http://127.0.0.1:18081', macaroon: MAC };
    expect(connectionFromRequest(req, true).simulated).toBe(true);
    expect(connectionFromRequest(req).simulated).toBe(false);
  });

  it('plain http only to this machine', () => {
    for (const restUrl of ['http://127.0.0.1:8080', 'http://localhost:8080', 'http://[::1]:8080']) {
      expect(connectionFromRequest({ restUrl, macaroon: MAC }).restUrl).toBe(restUrl);
    }
  });

  const refused: Array<[why: string, req: NodeConnectRequest, code: string]> = [
    ['nothing given', {}, 'LNDCONNECT_INVALID'],
    ['only blanks', { lndconnect: ' ', restUrl: ' ', macaroon: ' ' }, 'LNDCONNECT_INVALID'],
    ['a REST URL without a macaroon', { restUrl: 'https://node.example' }, 'LNDCONNECT_INVALID'],
    ['a macaroon without a REST URL', { macaroon: MAC }, 'LNDCONNECT_INVALID'],
    ['a broken lndconnect URI', { lndconnect: 'lndconnect://node.example' }, 'LNDCONNECT_INVALID'],
    ['a tapd URL without its macaroon', { restUrl: 'https://node.example', macaroon: MAC, tapdUrl: 'https://node.example:8089' }, 'NODE_CONFIG_INVALID'],
    ['a tapd URL with a blank macaroon', { restUrl: 'https://node.example', macaroon: MAC, tapdUrl: 'https://node.example:8089', tapdMacaroon: '  ' }, 'NODE_CONFIG_INVALID'],
    ['a REST URL that is not a URL', { restUrl: 'node.example:8080', macaroon: MAC }, 'NODE_CONFIG_INVALID'],
    ['a macaroon that is not v2', { restUrl: 'https://node.example', macaroon: '0101aa' }, 'NODE_CONFIG_INVALID'],
    ['http to another machine', { restUrl: 'http://192.0.2.7:8080', macaroon: MAC }, 'NODE_INSECURE_URL'],
    ['http to a name', { restUrl: 'http://node.example:8080', macaroon: MAC }, 'NODE_INSECURE_URL'],
    ['http to tapd on another machine', { restUrl: 'https://node.example', macaroon: MAC, tapdUrl: 'http://node.example:8089', tapdMacaroon: MAC }, 'NODE_INSECURE_URL'],
  ];
  for (const [why, req, code] of refused) {
    it(`refuses ${why}: ${code}`, () => expect(thrownCode(() => connectionFromRequest(req))).toBe(code));
  }

  it('an insecure URL error names the URL', () => {
    expect(thrownError(() => connectionFromRequest({ restUrl: 'http://node.example:8080', macaroon: MAC })).message).toBe(
      'node: https required except for localhost=http://node.example:8080',
    );
  });
});

describe('statusOf', () => {
  it('not connected without a profile', () => expect(statusOf(undefined)).toEqual({ connected: false }));

  it('connected, with every profile field', () => {
    const profile: NodeProfile = { alias: 'alice', pubkey: `02${'ab'.repeat(32)}`, network: 'regtest', restUrl: 'https://n.example', hasTapd: true, label: 'Home', simulated: true };
    expect(statusOf(profile)).toEqual({ connected: true, ...profile });
  });
});

// ---- against the devnet -------------------------------------------------------

const session = checkedDevnet();
let devnet: Devnet;
let recorder: RecordingFetch;

/** Both daemons behind one fetch, as connectorsFor takes it: tapd's paths all start the same. */
const apiOf = (url: URL) => (url.pathname.startsWith('/v1/taproot-assets/') ? 'tapd' : 'lnd');

beforeAll(() => {
  devnet = session.devnet;
});

beforeEach(() => {
  recorder = recordingFetch(apiOf);
});

afterEach(() => {
  expect(recorder.violations()).toEqual([]);
});

type NodeName = keyof Devnet['nodes'];

/** What the popup's form would send for a devnet node (its plain-http ports on 127.0.0.1). */
function formFor(node: NodeName, over: Partial<NodeConnectRequest> = {}): NodeConnectRequest {
  const n = devnet.nodes[node];
  return { restUrl: n.lndRestUrl, macaroon: n.adminMacaroonHex, tapdUrl: n.tapdRestUrl, tapdMacaroon: n.tapdMacaroonHex, ...over };
}

const connectors = (conn: StoredConnection, fetch: typeof globalThis.fetch = recorder.fetch) => connectorsFor(conn, fetch, 5000);

async function probe(req: NodeConnectRequest, expectedNetwork?: Parameters<typeof probeConnection>[2]) {
  const conn = connectionFromRequest(req);
  return probeConnection(conn, connectors(conn), expectedNetwork);
}

/** A port on 127.0.0.1 that nothing listens on (taken, then freed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** lnd's own answer to a GET, read without our connector. */
async function lndGet(path: string): Promise<Record<string, unknown>> {
  const n = devnet.nodes.alice;
  const res = await recorder.fetch(`${n.lndRestUrl}${path}`, { headers: { 'Grpc-Metadata-macaroon': n.adminMacaroonHex } });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

const sat = (v: unknown) => Number((v as { sat?: string } | undefined)?.sat ?? 0);

/** Forwards to the devnet, except that /v1/state answers `state`. */
function stateFetch(state: string): RecordingFetch {
  return recordingFetch('lnd', async (input, init) =>
    new URL(String(input)).pathname === '/v1/state' ? new Response(JSON.stringify({ state }), { status: 200 }) : fetch(input, init),
  );
}

describe('probeConnection on the devnet', () => {
  it("alice with tapd: the profile names her node", async () => {
    const conn = connectionFromRequest(formFor('alice', { label: '  Alice  ' }));
    const profile = await probeConnection(conn, connectors(conn), 'regtest');
    expect(profile).toEqual({
      alias: devnet.nodes.alice.alias,
      pubkey: devnet.nodes.alice.pubkey,
      network: 'regtest',
      restUrl: devnet.nodes.alice.lndRestUrl,
      hasTapd: true,
      label: 'Alice',
    });
    const paths = recorder.exchanges.map((e) => `${e.api} ${e.path}`);
    expect(paths).toEqual(['lnd /v1/state', 'lnd /v1/getinfo', 'tapd /v1/taproot-assets/getinfo']);
  });

  it('without tapd: hasTapd false; simulated carried into the profile', async () => {
    const conn = connectionFromRequest(formFor('alice', { tapdUrl: undefined, tapdMacaroon: undefined }), true);
    const profile = await probeConnection(conn, connectors(conn));
    expect([profile.hasTapd, profile.simulated, 'label' in profile]).toEqual([false, true, false]);
  });

  it('expected mainnet, node on regtest: NODE_WRONG_NETWORK with both networks', async () => {
    const e = await rejectedWith(probe(formFor('alice'), 'mainnet'));
    expect([e.code, e.details]).toEqual(['NODE_WRONG_NETWORK', { actual: 'regtest', expected: 'mainnet' }]);
  });

  it('a macaroon lnd does not know: NODE_AUTH', async () => {
    expect(await codeOf(probe(formFor('alice', { macaroon: `0201${randomBytes(40).toString('hex')}` })))).toBe('NODE_AUTH');
  });

  it("tapd with a wrong macaroon: tapd's error, code kept", async () => {
    const e = await rejectedWith(probe(formFor('alice', { tapdMacaroon: devnet.nodes.alice.adminMacaroonHex })));
    expect(e.code).toBe('NODE_AUTH');
    expect(e.message).toMatch(/^tapd: node: /);
  });

  it('tapd not listening: NODE_UNREACHABLE, said to be tapd', async () => {
    const e = await rejectedWith(probe(formFor('alice', { tapdUrl: `http://127.0.0.1:${await closedPort()}` })));
    expect([e.code, e.message.startsWith('tapd: ')]).toEqual(['NODE_UNREACHABLE', true]);
  });

  it("another node's tapd: NODE_CONFIG_INVALID naming that node", async () => {
    const e = await rejectedWith(probe(formFor('alice', { tapdUrl: devnet.nodes.dave.tapdRestUrl, tapdMacaroon: devnet.nodes.dave.tapdMacaroonHex })));
    expect(e.code).toBe('NODE_CONFIG_INVALID');
    expect(e.message).toBe(`tapd: node: tapd runs on another lnd node=${devnet.nodes.dave.pubkey}`);
  });

  // tapd's swagger marks every getinfo field optional; only lnd_identity_pubkey says which lnd it is on.
  for (const [what, pubkey] of [['left out', undefined], ['empty', '']] as const)
    it(`tapd's lnd_identity_pubkey ${what}: NODE_TAPD_UNVERIFIED, nothing taken on trust`, async () => {
      const f = recordingFetch(apiOf, async (input, init) => {
        const res = await fetch(input, init);
        if (new URL(String(input)).pathname !== '/v1/taproot-assets/getinfo') return res;
        const { lnd_identity_pubkey: _, ...body } = (await res.json()) as Record<string, unknown>;
        return Response.json(pubkey === undefined ? body : { ...body, lnd_identity_pubkey: pubkey });
      });
      const conn = connectionFromRequest(formFor('alice'));
      const e = await rejectedWith(probeConnection(conn, connectors(conn, f.fetch)));
      expect([e.code, e.message]).toEqual(['NODE_TAPD_UNVERIFIED', 'tapd: node: tapd did not report its lnd node (lnd_identity_pubkey)']);
      expect(f.violations()).toEqual([]);
    });

  it("every devnet node's tapd names its own lnd, so each connects with tapd", async () => {
    for (const name of Object.keys(devnet.nodes) as NodeName[]) expect((await probe(formFor(name))).pubkey).toBe(devnet.nodes[name].pubkey);
  });

  it('node down: NODE_UNREACHABLE (or NODE_TIMEOUT); fine again once back', async () => {
    devnet.control.setDown('alice', true);
    try {
      expect(['NODE_UNREACHABLE', 'NODE_TIMEOUT']).toContain(await codeOf(probe(formFor('alice'))));
    } finally {
      devnet.control.setDown('alice', false);
    }
    expect((await probe(formFor('alice'))).pubkey).toBe(devnet.nodes.alice.pubkey);
  });

  // One case per wallet state lnd's swagger defines: only an active RPC server is usable.
  const stateEnum = (
    JSON.parse(readFileSync(new URL('../../contracts/lnd/lnrpc/stateservice.swagger.json', import.meta.url), 'utf8')) as {
      definitions: { lnrpcWalletState: { enum: string[] } };
    }
  ).definitions.lnrpcWalletState.enum;
  const ACTIVE = ['RPC_ACTIVE', 'SERVER_ACTIVE'];

  it('the swagger still defines the states this test expects', () => {
    expect(stateEnum).toEqual(expect.arrayContaining(['LOCKED', ...ACTIVE]));
  });

  for (const state of stateEnum) {
    const usable = ACTIVE.includes(state);
    it(`wallet state ${state}: ${usable ? 'connects' : 'NODE_LOCKED, before any call that needs the macaroon'}`, async () => {
      const f = stateFetch(state);
      const conn = connectionFromRequest(formFor('alice', { tapdUrl: undefined, tapdMacaroon: undefined }));
      const outcome = probeConnection(conn, connectors(conn, f.fetch));
      if (usable) {
        expect((await outcome).pubkey).toBe(devnet.nodes.alice.pubkey);
      } else {
        const e = await rejectedWith(outcome);
        expect([e.code, e.message]).toEqual(['NODE_LOCKED', `node: wallet state=${state}`]);
        expect(f.exchanges.map((x) => x.path)).toEqual(['/v1/state']);
      }
      expect(f.violations()).toEqual([]);
    });
  }
});

describe('readBalances on the devnet', () => {
  const NOW = 1_700_000_123_456;

  it("BTC exactly as lnd reports it; USDT from tapd with its asset channel", async () => {
    const conn = connectionFromRequest(formFor('alice'));
    const b = await readBalances(connectors(conn), NOW);
    const [chain, channels] = [await lndGet('/v1/balance/blockchain'), await lndGet('/v1/balance/channels')];
    expect(b.btc).toEqual({
      onchainConfirmedSat: Number(chain.confirmed_balance),
      onchainUnconfirmedSat: Number(chain.unconfirmed_balance),
      channelLocalSat: sat(channels.local_balance),
      channelRemoteSat: sat(channels.remote_balance),
      channelPendingSat: sat(channels.pending_open_local_balance),
    });
    expect(b.btc.channelLocalSat).toBeGreaterThan(0);
    expect(b.fetchedAt).toBe(NOW);
    expect('assetsError' in b).toBe(false);

    const truth = await devnet.control.balances('alice');
    const assetChannel = truth.channels.find((c) => c.localAssetUnits > 0);
    expect(b.assets).toEqual([
      {
        id: expect.stringMatching(/^0[23][0-9a-f]{64}$/), // a group key: USDT is a grouped asset
        ticker: 'USDT',
        name: 'USDT',
        amount: String(truth.assetUnits),
        decimalDisplay: 6,
        channelAmount: String(assetChannel?.localAssetUnits ?? -1),
      },
    ]);
  });

  it('an asset held only in channels still shows, with ticker and decimals from its meta', async () => {
    const conn = connectionFromRequest(formFor('alice'));
    // tapd reports no on-chain units (everything is in the channel), as for a stablecoin used on Lightning.
    const noOnchain: typeof globalThis.fetch = async (input, init) => {
      const url = new URL(String(input instanceof Request ? input.url : input));
      if (url.pathname === '/v1/taproot-assets/assets/balance') return Response.json({ asset_balances: {} });
      return recorder.fetch(input, init);
    };
    const b = await readBalances(connectors(conn, noOnchain), NOW);
    const truth = await devnet.control.balances('alice');
    const assetChannel = truth.channels.find((c) => c.localAssetUnits > 0);
    expect(b.assets).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f]{64}$/), // the channel's asset id (channel data carries no group key)
        ticker: 'USDT',
        name: 'USDT',
        amount: '0',
        decimalDisplay: 6,
        channelAmount: String(assetChannel?.localAssetUnits ?? -1),
      },
    ]);
  });

  it('without tapd: BTC only, no asset error', async () => {
    const conn = connectionFromRequest(formFor('alice', { tapdUrl: undefined, tapdMacaroon: undefined }));
    const b = await readBalances(connectors(conn), NOW);
    expect([b.assets, 'assetsError' in b, b.btc.channelLocalSat > 0]).toEqual([[], false, true]);
  });

  it('tapd unreachable: BTC still there, the asset error says tapd', async () => {
    const conn = connectionFromRequest(formFor('alice', { tapdUrl: `http://127.0.0.1:${await closedPort()}` }));
    const b = await readBalances(connectors(conn), NOW);
    const channels = await lndGet('/v1/balance/channels');
    expect(b.btc.channelLocalSat).toBe(sat(channels.local_balance));
    expect(b.assets).toEqual([]);
    expect(b.assetsError?.code).toBe('NODE_UNREACHABLE');
    expect(b.assetsError?.message).toMatch(/^tapd: node: cannot reach node=GET \/v1\/taproot-assets\/assets\/balance$/);
  });

  it('tapd refusing the macaroon: NODE_AUTH as the asset error', async () => {
    const conn = connectionFromRequest(formFor('alice', { tapdMacaroon: devnet.nodes.alice.adminMacaroonHex }));
    const b = await readBalances(connectors(conn), NOW);
    expect([b.assetsError?.code, b.assets, b.btc.channelLocalSat > 0]).toEqual(['NODE_AUTH', [], true]);
  });

  it('lnd down: no balances at all (BTC is what the popup cannot do without)', async () => {
    const conn = connectionFromRequest(formFor('alice'));
    devnet.control.setDown('alice', true);
    try {
      expect(['NODE_UNREACHABLE', 'NODE_TIMEOUT']).toContain(await codeOf(readBalances(connectors(conn), NOW)));
    } finally {
      devnet.control.setDown('alice', false);
    }
  });
});

describe('checkedTapd: a saved connection’s tapd is checked to run on its lnd at its first use', () => {
  const NOW = 1_700_000_123_456;
  /** alice's lnd and tapd, tapd's getinfo rewritten by `says` (its lnd_identity_pubkey left out for undefined). */
  function saved(says: (alicePubkey: string) => string | undefined) {
    const f = recordingFetch(apiOf, async (input, init) => {
      const res = await fetch(input, init);
      if (new URL(String(input)).pathname !== '/v1/taproot-assets/getinfo') return res;
      const { lnd_identity_pubkey: _, ...body } = (await res.json()) as Record<string, unknown>;
      const pubkey = says(devnet.nodes.alice.pubkey);
      return Response.json(pubkey === undefined ? body : { ...body, lnd_identity_pubkey: pubkey });
    });
    const c = connectors(connectionFromRequest(formFor('alice')), f.fetch);
    const paths = () => f.exchanges.map((e) => `${e.api} ${e.path}`);
    return { c: { lnd: c.lnd, tapd: checkedTapd(c.tapd!, c.lnd) }, f, paths };
  }

  for (const [what, says] of [['left out', () => undefined], ['empty', () => '']] as const)
    it(`tapd's lnd_identity_pubkey ${what}: the balances show BTC and NODE_TAPD_UNVERIFIED, tapd's assets are never read`, async () => {
      const { c, f, paths } = saved(says);
      const b = await readBalances(c, NOW);
      expect(b.btc.channelLocalSat).toBeGreaterThan(0);
      expect([b.assets, b.assetsError]).toEqual([[], { code: 'NODE_TAPD_UNVERIFIED', message: 'tapd: node: tapd did not report its lnd node (lnd_identity_pubkey)' }]);
      expect(paths().filter((p) => p.startsWith('tapd '))).toEqual(['tapd /v1/taproot-assets/getinfo']);
      expect(f.violations()).toEqual([]);
    });

  it('every call but getinfo is refused the same way, and asked again each time (tapd may be upgraded meanwhile)', async () => {
    const { c, paths } = saved(() => '');
    const tapd = c.tapd;
    const calls = [
      () => tapd.getAssetBalances(),
      () => tapd.listAssets(),
      () => tapd.assetMeta('aa'.repeat(32)),
      () => tapd.createAssetInvoice({ assetId: 'aa'.repeat(32), assetAmount: 1n }),
      () => tapd.requestSellQuote({ assetId: 'aa'.repeat(32), maxMsat: 1_000n, expiresAt: 2e9, timeoutSeconds: 1 }),
      () => tapd.payWithAsset({ assetId: 'aa'.repeat(32), paymentRequest: 'lnbcrt1', feeLimitSat: 1 }),
    ];
    for (const call of calls) expect(await codeOf(call())).toBe('NODE_TAPD_UNVERIFIED');
    expect(paths().filter((p) => p.startsWith('tapd '))).toEqual(Array(calls.length).fill('tapd /v1/taproot-assets/getinfo'));
    expect((await tapd.getInfo()).lndPubkey).toBe('');
  });

  it('tapd naming another lnd: NODE_CONFIG_INVALID naming it', async () => {
    const { c } = saved(() => devnet.nodes.dave.pubkey);
    const e = await rejectedWith(c.tapd.getAssetBalances());
    expect([e.code, e.message]).toEqual(['NODE_CONFIG_INVALID', `node: tapd runs on another lnd node=${devnet.nodes.dave.pubkey}`]);
  });

  it('tapd naming this lnd: checked once (both getinfos, side by side), then every call goes straight to tapd', async () => {
    const { c, paths } = saved((alice) => alice.toUpperCase());
    const first = await readBalances(c, NOW);
    const second = await readBalances(c, NOW);
    expect([first.assetsError, second.assets]).toEqual([undefined, first.assets]);
    expect(first.assets.length).toBeGreaterThan(0);
    const getinfos = paths().filter((p) => p.endsWith('/getinfo'));
    expect(getinfos.sort()).toEqual(['lnd /v1/getinfo', 'tapd /v1/taproot-assets/getinfo']);
  });
});

describe('checkedTapd: when the check runs', () => {
  const ALICE = `02${'ab'.repeat(32)}`;
  /** A tapd whose getinfo answers from `says` (or fails), every call logged. */
  function fake(says: { lndPubkey?: string; down?: boolean }) {
    const log: string[] = [];
    const tapd = {
      getInfo: async () => {
        log.push('tapd getinfo');
        if (says.down) throw new SatnavError('NODE_UNREACHABLE', 'node: cannot reach node');
        return { lndPubkey: says.lndPubkey ?? '' } as AssetNodeInfo;
      },
      getAssetBalances: async () => (log.push('balances'), []),
    } as unknown as AssetNode;
    const lnd = { getInfo: async () => (log.push('lnd getinfo'), { pubkey: ALICE }) } as never;
    return { tapd: checkedTapd(tapd, lnd), log };
  }

  it('calls made together share one check', async () => {
    const { tapd, log } = fake({ lndPubkey: ALICE });
    await Promise.all([tapd.getAssetBalances(), tapd.getAssetBalances(), tapd.getAssetBalances()]);
    expect(log.filter((l) => l.endsWith('getinfo')).sort()).toEqual(['lnd getinfo', 'tapd getinfo']);
    expect(log.filter((l) => l === 'balances')).toHaveLength(3);
  });

  it('a check that could not be made (tapd down) is made again at the next call, and passes once tapd answers', async () => {
    const says: { lndPubkey?: string; down?: boolean } = { down: true };
    const { tapd, log } = fake(says);
    expect(await codeOf(tapd.getAssetBalances())).toBe('NODE_UNREACHABLE');
    says.down = false;
    says.lndPubkey = ALICE;
    expect(await tapd.getAssetBalances()).toEqual([]);
    expect(log.filter((l) => l !== 'lnd getinfo')).toEqual(['tapd getinfo', 'tapd getinfo', 'balances']);
  });
});

