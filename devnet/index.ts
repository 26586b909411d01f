/**
 * The embedded devnet: a simulated Lightning network in one process. Each node serves the lnd REST
 * and tapd REST subsets Satnav uses on its own localhost ports, each over plain HTTP and, as lnd
 * and tapd do, over HTTPS with the devnet's self-signed certificate (devnet/tls/README.md). A
 * control API drives the network from outside. See DESIGN.md "The devnet".
 *
 * Ports with `basePort` B, for the i-th node (alice, bob, carol, dave, then merchants added later):
 *   control B;  lnd http B+1+i, tapd http B+11+i;  lnd https B+21+i, tapd https B+31+i.
 * From the tenth node on, and everywhere when B = 0: random ports.
 */
import http from 'node:http';
import { base64urlnopad } from '@scure/base';
import { fromHex } from './codec.ts';
import { stablecoin } from './assets.ts';
import { RfqDesk } from './rfq.ts';
import { createControl, controlHandler, type DevnetControl, type DevnetNodeInfo } from './control.ts';
import { close, listen, startApiServer, type Api, type ContractChecker, type Server } from './http.ts';
import { lndRoutes } from './lnd-rest.ts';
import { Network } from './network.ts';
import type { SimNode } from './node.ts';
import type { Sim } from './node-ops.ts';
import { buildDefaultNetwork, type DefaultNode } from './scenario.ts';
import { tapdRoutes } from './tapd-rest.ts';
import { loadDevnetTls } from './tls.ts';

export type {
  CreatedInvoice,
  DevnetControl,
  DevnetNodeInfo,
  InvoiceSummary,
  NodeBalances,
  OpenChannelRequest,
  PaymentOutcome,
} from './control.ts';

export interface Devnet {
  nodes: Record<DefaultNode, DevnetNodeInfo>;
  controlUrl: string;
  control: DevnetControl;
  stop(): Promise<void>;
}

export interface DevnetOptions {
  /** 0 (the default): random free ports. */
  basePort?: number;
  host?: string;
  /** Check every request and response against the lnd/tapd swagger; violations answer 500. */
  validate?: boolean;
  /** Delay before a settled payment's preimage reaches the payer. */
  paymentDelayMs?: number;
  /** Length of one second of `timeout_seconds` (default 1000); tests shrink it. */
  secondMs?: number;
}

/** Fixed so that node keys, macaroons and the asset id survive restarts. */
const SEED = 'satnav-devnet-1';
const START_HEIGHT = 500;
const ASSET_MINT_HEIGHT = 450;
const MAX_FIXED_SLOTS = 10;
/** Offsets from the base port of the first node's servers; node i adds i. */
const PORT_OFFSET = { lnd: 1, tapd: 11, lndTls: 21, tapdTls: 31 } as const;

async function loadContract(): Promise<ContractChecker> {
  const { validateRequest, validateResponse } = await import('./contract/openapi.ts');
  return { request: validateRequest, response: validateResponse };
}

export async function startDevnet(opts: DevnetOptions = {}): Promise<Devnet> {
  const host = opts.host ?? '127.0.0.1';
  const base = opts.basePort ?? 0;
  const violations: string[] = [];
  const contract = opts.validate ? await loadContract() : undefined;
  const tls = await loadDevnetTls();
  const net = new Network(SEED, START_HEIGHT);
  const asset = stablecoin(SEED, ASSET_MINT_HEIGHT);
  const sim: Sim = {
    net,
    asset,
    rfq: new RfqDesk(asset.rate),
    router: { paymentDelayMs: opts.paymentDelayMs ?? 0 },
    secondMs: opts.secondMs ?? 1000,
  };
  buildDefaultNetwork(sim);

  const servers: Server[] = [];
  const infos = new Map<string, DevnetNodeInfo>();
  const routes = { lnd: lndRoutes(sim), tapd: tapdRoutes(sim) };
  const portFor = (slot: number, offset: number) => (base > 0 && slot < MAX_FIXED_SLOTS ? base + offset + slot : 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;

  async function startNode(node: SimNode): Promise<DevnetNodeInfo> {
    const slot = infos.size;
    const serve = async (api: Api, tlsOffset: number) => {
      const port = portFor(slot, PORT_OFFSET[api]);
      const started = await startApiServer({ node, host, tls, contract, violations, api, routes: routes[api], port, tlsPort: portFor(slot, tlsOffset) });
      servers.push(...started.servers);
      return started;
    };
    const lnd = await serve('lnd', PORT_OFFSET.lndTls);
    const tapd = await serve('tapd', PORT_OFFSET.tapdTls);
    const macaroon = base64urlnopad.encode(fromHex(node.macaroons.admin));
    const info: DevnetNodeInfo = {
      name: node.name,
      alias: node.alias,
      pubkey: node.pubkeyHex,
      lndRestUrl: `http://${urlHost}:${lnd.port}`,
      tapdRestUrl: `http://${urlHost}:${tapd.port}`,
      lndRestTlsUrl: `https://${urlHost}:${lnd.tlsPort}`,
      tapdRestTlsUrl: `https://${urlHost}:${tapd.tlsPort}`,
      adminMacaroonHex: node.macaroons.admin,
      readonlyMacaroonHex: node.macaroons.readonly,
      tapdMacaroonHex: node.macaroons.tapd,
      // As lndconnect writes it: the https REST port, the admin macaroon and the certificate to pin.
      lndconnectUri: `lndconnect://${urlHost}:${lnd.tlsPort}?macaroon=${macaroon}&cert=${base64urlnopad.encode(tls.certDer)}`,
    };
    infos.set(node.name, info);
    return info;
  }

  const info = (name: string): DevnetNodeInfo => {
    const i = infos.get(name);
    if (!i) throw new Error(`devnet: unknown node=${name}`);
    return i;
  };
  const control = createControl({ sim, violations, info, startNode });
  const controlServer = http.createServer(controlHandler(control));
  try {
    for (const node of net.nodes.values()) await startNode(node);
    servers.push(controlServer);
    const controlPort = await listen(controlServer, host, base);
    return {
      nodes: { alice: info('alice'), bob: info('bob'), carol: info('carol'), dave: info('dave') },
      controlUrl: `http://${urlHost}:${controlPort}`,
      control,
      stop: async () => {
        await Promise.all(servers.map(close));
      },
    };
  } catch (e) {
    await Promise.all(servers.filter((s) => s.listening).map(close));
    throw e;
  }
}
