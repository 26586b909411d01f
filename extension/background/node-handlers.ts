import { z } from '../../src/base/zod.ts';
import { moduleErrors } from '../../src/errors.ts';
import { fetchFor, probeTrusting } from '../../src/node/browser-trust.ts';
import { parseManualConnection } from '../../src/node/lndconnect.ts';
import {
  connectionFromRequest,
  connectorsFor,
  probeConnection,
  readBalances,
  statusOf,
  type NodeProfile,
  type StoredConnection,
} from '../../src/node/connection.ts';
import type { UiHandlers } from './ui-handlers.ts';
import { trustInBrowser } from './node-trust.ts';
import { broadcastAccountChanged } from './page-events.ts';
import { NODE_PROFILE_KEY, NODE_SECRET_KEY, type Services } from './services.ts';

const error = moduleErrors('node');

/** Where `npm run demo` serves the devnet's control API; storage can point elsewhere (tests). */
const DEFAULT_DEVNET_CONTROL = 'http://127.0.0.1:18080';
const DEVNET_CONTROL_KEY = 'devnet.controlUrl';

async function save(svc: Services, conn: StoredConnection, profile: NodeProfile): Promise<void> {
  await svc.vault.updateSecrets((s) => ({ ...s, [NODE_SECRET_KEY]: conn }));
  await svc.local.set({ [NODE_PROFILE_KEY]: profile });
  void notifySites(svc);
}

/** Tell enabled sites the node changed (WebLN `accountChanged`). */
async function notifySites(svc: Services): Promise<void> {
  const sites = await svc.policy.listSites();
  await broadcastAccountChanged(new Set(sites.filter((s) => s.enabled && !s.paused).map((s) => s.origin)));
}

/** Only reachable in a devnet build (see the handlers): release bundles keep none of it. */
async function fetchDevnetOffer(svc: Services) {
  // Built here rather than at module level, where a bundler keeps the call as a possible side effect.
  const devnetOffer = z.object({
    alias: z.string(),
    restUrl: z.string(),
    macaroonHex: z.string(),
    tapdUrl: z.string(),
    tapdMacaroonHex: z.string(),
  });
  const base = (await svc.local.get<string>(DEVNET_CONTROL_KEY)) ?? DEFAULT_DEVNET_CONTROL;
  try {
    const res = await fetch(`${base}/control/wallet-offer`, { signal: AbortSignal.timeout(1500) });
    if (!res.ok) return undefined;
    const parsed = devnetOffer.safeParse(await res.json());
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export const nodeHandlers = {
  'node.status': async (_req, svc) => statusOf(await svc.local.get<NodeProfile>(NODE_PROFILE_KEY)),
  // A certificate the browser refuses: NODE_TLS_UNTRUSTED names the address to open, then node.trust.
  'node.connect': async (req, svc) => {
    const asked = connectionFromRequest(req.connection);
    const saved = await svc.storedConnection().catch(() => undefined);
    const acceptedBefore = saved?.tls === 'accepted-in-browser' && saved.restUrl === asked.restUrl;
    const { conn, profile } = await probeTrusting(asked, svc.nodeFetches, req.connection.expectedNetwork, acceptedBefore);
    await save(svc, conn, profile);
    return statusOf(profile);
  },
  // The saved node again (its certificate changed, or the browser forgot the person's acceptance), on its saved network.
  'node.trust': async (req, svc) => {
    const conn = req.connection ? connectionFromRequest(req.connection) : await svc.storedConnection();
    const network = req.connection ? req.connection.expectedNetwork : (await svc.local.get<NodeProfile>(NODE_PROFILE_KEY))?.network;
    const connected = await trustInBrowser(conn, svc.nodeFetches, network);
    await save(svc, connected.conn, connected.profile);
    return statusOf(connected.profile);
  },
  'node.disconnect': async (_req, svc) => {
    await svc.vault.updateSecrets(({ [NODE_SECRET_KEY]: _gone, ...rest }) => rest);
    await svc.local.remove([NODE_PROFILE_KEY]);
    void notifySites(svc);
    return statusOf(undefined);
  },
  // An lndconnect URI carries no tapd: added to the saved connection, checked end to end (tapd's
  // getinfo, on this same lnd) before it is kept.
  'node.addTapd': async (req, svc) => {
    const saved = await svc.storedConnection();
    const tapd = parseManualConnection(req.tapdUrl, req.tapdMacaroon);
    const conn: StoredConnection = { ...saved, tapdUrl: tapd.restUrl, tapdMacaroonHex: tapd.macaroonHex };
    const network = (await svc.local.get<NodeProfile>(NODE_PROFILE_KEY))?.network;
    const profile = await probeConnection(conn, connectorsFor(conn, fetchFor(conn, svc.nodeFetches)), network);
    await save(svc, conn, profile);
    return statusOf(profile);
  },
  // tapd as the payments use it: checked against this lnd first, or its assets are not shown (assetsError says why).
  'node.balances': async (_req, svc) => {
    const conn = await svc.storedConnection();
    const tapd = await svc.assetNode();
    return readBalances({ lnd: connectorsFor(conn, fetchFor(conn, svc.nodeFetches)).lnd, ...(tapd && { tapd }) });
  },
  // __SATNAV_DEVNET__ is a build-time constant (src/env.d.ts): a release build answers without
  // probing this machine's ports, and drops the devnet code.
  'devnet.offer': async (_req, svc) => {
    if (!__SATNAV_DEVNET__) return { available: false };
    const offer = await fetchDevnetOffer(svc);
    return offer ? { available: true, alias: offer.alias } : { available: false };
  },
  'devnet.connect': async (_req, svc) => {
    if (!__SATNAV_DEVNET__) throw error('BAD_REQUEST', 'no simulated network in a release build');
    const offer = await fetchDevnetOffer(svc);
    if (!offer) throw error('NODE_UNREACHABLE', 'devnet not running at', DEFAULT_DEVNET_CONTROL);
    const conn = connectionFromRequest(
      { restUrl: offer.restUrl, macaroon: offer.macaroonHex, tapdUrl: offer.tapdUrl, tapdMacaroon: offer.tapdMacaroonHex, label: 'Simulated network' },
      true,
    );
    const profile = await probeConnection(conn, connectorsFor(conn, svc.nodeFetches.own));
    await save(svc, conn, profile);
    return statusOf(profile);
  },
} satisfies Partial<UiHandlers>;
