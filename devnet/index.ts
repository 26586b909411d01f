/**
 * The embedded devnet: a simulated Lightning network in one process. Each node serves the lnd REST
 * and tapd REST subsets Satnav uses on its own localhost ports (plain HTTP), and a control API
 * drives the network from outside. See DESIGN.md "The devnet".
 *
 * Ports with `basePort` B: control B; lnd B+1+i and tapd B+11+i for the i-th node (alice, bob,
 * carol, dave, then merchants added later; from the tenth node on, random ports). B = 0: all random.
 */
import http from 'node:http';
import { base64urlnopad } from '@scure/base';
import { fromHex } from './codec.ts';
import { stablecoin } from './assets.ts';
import { createControl, controlHandler, type DevnetControl, type DevnetNodeInfo } from './control.ts';
import { close, listen, startApiServer, type ContractChecker } from './http.ts';
import { lndRoutes } from './lnd-rest.ts';
import { Network } from './network.ts';
import type { SimNode } from './node.ts';
import type { Sim } from './node-ops.ts';
import { buildDefaultNetwork, type DefaultNode } from './scenario.ts';
import { tapdRoutes } from './tapd-rest.ts';

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

async function loadContract(): Promise<ContractChecker> {
  const { validateRequest, validateResponse } = await import('./contract/openapi.ts');
  return { request: validateRequest, response: validateResponse };
}

export async function startDevnet(opts: DevnetOptions = {}): Promise<Devnet> {
  const host = opts.host ?? '127.0.0.1';
  const base = opts.basePort ?? 0;
  const violations: string[] = [];
  const contract = opts.validate ? await loadContract() : undefined;
  const net = new Network(SEED, START_HEIGHT);
  const sim: Sim = {
    net,
    asset: stablecoin(SEED, ASSET_MINT_HEIGHT),
    router: { paymentDelayMs: opts.paymentDelayMs ?? 0 },
    secondMs: opts.secondMs ?? 1000,
  };
  buildDefaultNetwork(sim);

  const servers: http.Server[] = [];
  const infos = new Map<string, DevnetNodeInfo>();
  const routes = { lnd: lndRoutes(sim), tapd: tapdRoutes(sim) };
  const portFor = (slot: number, offset: number) => (base > 0 && slot < MAX_FIXED_SLOTS ? base + offset + slot : 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;

  async function startNode(node: SimNode): Promise<DevnetNodeInfo> {
    const slot = infos.size;
    const common = { node, host, contract, violations };
    const lnd = await startApiServer({ ...common, api: 'lnd', routes: routes.lnd, port: portFor(slot, 1) });
    servers.push(lnd.server);
    const tapd = await startApiServer({ ...common, api: 'tapd', routes: routes.tapd, port: portFor(slot, 11) });
    servers.push(tapd.server);
    const info: DevnetNodeInfo = {
      name: node.name,
      alias: node.alias,
      pubkey: node.pubkeyHex,
      lndRestUrl: `http://${urlHost}:${lnd.port}`,
      tapdRestUrl: `http://${urlHost}:${tapd.port}`,
      adminMacaroonHex: node.macaroons.admin,
      readonlyMacaroonHex: node.macaroons.readonly,
      tapdMacaroonHex: node.macaroons.tapd,
      lndconnectUri: `lndconnect://${urlHost}:${lnd.port}?macaroon=${base64urlnopad.encode(fromHex(node.macaroons.admin))}`,
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
