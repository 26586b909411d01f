import browser from 'webextension-polyfill';
import { Ledger } from '../../src/ledger/index.ts';
import { fetchFor, type NodeFetches } from '../../src/node/browser-trust.ts';
import { checkedTapd, connectorsFor, type NodeProfile, type StoredConnection } from '../../src/node/connection.ts';
import type { AssetNode } from '../../src/node/types.ts';
import { moduleErrors } from '../../src/errors.ts';
import { PolicyEngine } from '../../src/policy/index.ts';
import { SettingsStore } from '../../src/settings/settings.ts';
import type { KeyValueStore } from '../../src/storage/kv.ts';
import { Vault } from '../../src/vault/vault.ts';
import { rootFromSeed } from '../../src/keys/root.ts';
import { PaymentPipeline } from '../../src/payments/index.ts';
import { PopupReceiver } from '../../src/payments/receive.ts';
import { PopupSender } from '../../src/payments/send.ts';
import { DepositBook } from '../../src/deposit/book.ts';
import { DepositKeeper } from '../../src/deposit/keeper.ts';
import { SessionPayer } from '../../src/deposit/session.ts';
import { SessionStore } from '../../src/deposit/session-store.ts';
import { secretStore } from '../../src/vault/secret-store.ts';
import { CredentialStore } from '../../src/paywall/credentials.ts';
import { WallPayer } from '../../src/paywall/payer.ts';
import type { Approver } from '../../src/webln/approval.ts';
import { PageInvoices } from '../../src/webln/page-invoices.ts';
import { WeblnService } from '../../src/webln/service.ts';
import { Approvals } from './approvals.ts';
import { depositBrowserDeps, headerRules, openOrigins } from './deposits.ts';
import { SessionGlue } from './sessions.ts';
import { DEV_BUILD } from './dev-build.ts';
import { browserNodeFetches } from './node-fetch.ts';
import { openWallForPage } from './paywall/index.ts';
import { remoteAddresses } from './remote-address.ts';
import { keepStorageFromContentScripts, storageArea } from './storage-area.ts';

const error = moduleErrors('node');

export const NODE_PROFILE_KEY = 'node.profile';
export const NODE_SECRET_KEY = 'node';
const PAYWALL_SECRET_KEY = 'paywall';
const SESSIONS_SECRET_KEY = 'sessions';

/** Everything the handlers use, built once per worker life. */
export interface Services {
  local: KeyValueStore;
  vault: Vault;
  settings: SettingsStore;
  policy: PolicyEngine;
  ledger: Ledger;
  approvals: Approvals;
  payments: PaymentPipeline;
  webln: WeblnService;
  paywall: WallPayer;
  deposits: DepositKeeper;
  sessions: SessionGlue;
  /** The popup's send and receive screens. */
  sender: PopupSender;
  receiver: PopupReceiver;
  /** The node's calls go through `fetchFor(connection, nodeFetches)`. */
  nodeFetches: NodeFetches;
  storedConnection(): Promise<StoredConnection>;
  /** The saved connection's tapd, checked to run on its lnd before its first use (checkedTapd). */
  assetNode(): Promise<AssetNode | undefined>;
}

const SESSION_MARK = 'worker:alive';

export async function createServices(): Promise<Services> {
  await keepStorageFromContentScripts();
  const local = storageArea('local');
  const session = storageArea('session');
  // Told apart from a wake-up by storage.session, which starts empty with the browser.
  const coldStart = (await session.get(SESSION_MARK)) === undefined;
  if (coldStart) await session.set({ [SESSION_MARK]: Date.now() });
  const vault = new Vault({ local, session });
  const policy = new PolicyEngine({ store: local, onIssue: (issue) => console.warn('satnav policy:', issue) });
  const ledger = new Ledger({ store: local, onIssue: (issue) => console.warn('satnav ledger:', issue) });
  const approvals = new Approvals(session);
  await approvals.dropStale();
  if (coldStart) await forgetSessionOnlySites(policy);

  const storedConnection = async (): Promise<StoredConnection> => {
    const conn = await vault.readSecret<StoredConnection>(NODE_SECRET_KEY);
    if (!conn) throw error('NODE_NOT_CONNECTED', 'no node connected');
    return conn;
  };
  const nodeFetches = browserNodeFetches();
  const node = async () => {
    const conn = await storedConnection();
    return connectorsFor(conn, fetchFor(conn, nodeFetches)).lnd;
  };
  // tapd, when the person connected one: the dollar rail and the dollar balances. One connector per
  // connection, so its asset-meta cache lasts (each payment in dollars reads the USD channel's ticker
  // and decimals) and its check that tapd runs on this lnd (checkedTapd) passes once per worker life:
  // a connection saved before connecting made that check is held to it too.
  let tapd: { key: string; connector: AssetNode | undefined } | undefined;
  const assetNode = async () => {
    const conn = await storedConnection();
    // Everything the connector and its check's lnd connector are built from: a new lnd macaroon at the same address makes a new one.
    const key = JSON.stringify([conn.restUrl, conn.macaroonHex, conn.tapdUrl, conn.tapdMacaroonHex, conn.tls, conn.simulated]);
    if (tapd?.key !== key) {
      const c = connectorsFor(conn, fetchFor(conn, nodeFetches));
      tapd = { key, connector: c.tapd && checkedTapd(c.tapd, c.lnd) };
    }
    return tapd.connector;
  };
  const isUnlocked = async () => (await vault.status()).unlocked;
  const ask: Approver = (request, context) => approvals.ask(request, context);
  // One pipeline per worker: it owns the set of payments being sent, which reconcile must respect.
  const invoices = new PageInvoices({ store: local, onIssue: (issue) => console.warn('satnav invoices:', issue) });
  // Satnav 0.1 kept one key per page invoice: fold them into the bounded index, once.
  if (coldStart) await invoices.migrateLegacy(Object.keys(await browser.storage.local.get(null)));
  const payments = new PaymentPipeline({ policy, ledger, ask, node, assetNode, needsValuation: (origin) => policy.needsValuation(origin), isUnlocked, batch: (fn, until) => local.batch(fn, until) });
  const nodeProfile = () => local.get<NodeProfile>(NODE_PROFILE_KEY);
  // 402 credentials are bearer secrets: they live with the vault's other secrets, encrypted.
  const credentials = new CredentialStore({
    read: () => vault.readSecret(PAYWALL_SECRET_KEY),
    update: (fn) => vault.updateSecrets((s) => ({ ...s, [PAYWALL_SECRET_KEY]: fn(s[PAYWALL_SECRET_KEY]) })),
  });
  const paywall = new WallPayer({ payments, policy, ledger, credentials, node, nodeNetwork: async () => (await nodeProfile())?.network, isUnlocked, ask });
  const root = async () => rootFromSeed(await vault.seed());
  const rules = headerRules(session);
  const deposits = new DepositKeeper({
    book: new DepositBook(local, (issue) => console.warn('satnav deposits:', issue)),
    payments,
    policy,
    ledger,
    node,
    nodeNetwork: async () => (await nodeProfile())?.network,
    root,
    sessionKeys: session,
    devBuild: DEV_BUILD,
    ...depositBrowserDeps(rules),
    log: (...args) => console.warn(...args),
  });
  const webln = new WeblnService({
    policy,
    ledger,
    payments,
    node,
    assetNode,
    nodeProfile,
    isUnlocked,
    ask,
    invoices,
    version: `Satnav ${browser.runtime.getManifest().version}`,
    root,
    addresses: remoteAddresses(browser.webRequest.onResponseStarted, new URL(browser.runtime.getURL('')).origin),
    devBuild: DEV_BUILD,
    // The page's fetch/XHR met a 402: the worker opens it from its own sighting (paywall/opener.ts).
    paywall: (ctx, url) => openWallForPage(ctx, url),
  });
  // A custodial session's record holds its bearer proof (the deposit's preimage): kept with the vault's secrets, encrypted.
  const sessionPayer = new SessionPayer({
    sessions: new SessionStore(secretStore(vault, SESSIONS_SECRET_KEY)),
    payments,
    policy,
    ledger,
    node,
    nodeNetwork: async () => (await nodeProfile())?.network,
    fetch: (input, init) => fetch(input, init),
    log: (...args) => console.warn(...args),
  });
  const sessions = new SessionGlue({ sessions: sessionPayer, rules, openOrigins, log: (...args) => console.warn(...args) });
  // The person's own payments and invoices are the wallet's: its own origin, as the browser names it.
  const walletOrigin = new URL(browser.runtime.getURL('')).origin;
  const sender = new PopupSender({
    origin: walletOrigin,
    payments,
    policy,
    ledger,
    node,
    nodeNetwork: async () => (await nodeProfile())?.network,
    addresses: remoteAddresses(browser.webRequest.onResponseStarted, walletOrigin),
    devBuild: DEV_BUILD,
    // With tapd the pipeline pays in dollars (and says why when it can't: no USD channel, too small…).
    payInAvailable: async () => (await assetNode()) !== undefined,
  });
  const receiver = new PopupReceiver({
    origin: walletOrigin,
    ledger,
    node,
    assetNode,
  });
  return { local, vault, settings: new SettingsStore(local), policy, ledger, approvals, payments, webln, paywall, deposits, sessions, sender, receiver, nodeFetches, storedConnection, assetNode };
}

/** A site enabled without "remember" keeps its permission until the browser closes. */
async function forgetSessionOnlySites(policy: PolicyEngine): Promise<void> {
  for (const site of await policy.listSites()) {
    if (site.enabled && !site.remember) await policy.upsertSite(site.origin, { enabled: false });
  }
}
