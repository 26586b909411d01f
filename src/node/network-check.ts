/**
 * "Wrong network" guard: a wallet set up for mainnet must not silently talk to a regtest node
 * (or pay a testnet invoice through a mainnet node).
 */
import type { Network as InvoiceNetwork } from '../bolt11/index.ts';
import { moduleErrors } from '../errors.ts';
import type { NodeNetwork } from './types.ts';

const error = moduleErrors('node');

/** The node networks an invoice's currency prefix can be paid on (`tb` covers testnet3 and 4). */
const INVOICE_NETWORKS: Record<InvoiceNetwork, readonly NodeNetwork[]> = {
  bitcoin: ['mainnet'],
  testnet: ['testnet', 'testnet4'],
  signet: ['signet'],
  regtest: ['regtest'],
};

export function checkNetwork(actual: NodeNetwork, expected: NodeNetwork): void {
  if (actual !== expected) {
    throw error('NODE_WRONG_NETWORK', `node is on ${actual}, expected`, expected, { actual, expected });
  }
}

export function invoiceMatchesNode(invoice: InvoiceNetwork, node: NodeNetwork): boolean {
  return INVOICE_NETWORKS[invoice].includes(node);
}

/** The invoice currency a node network pays (testnet and testnet4 share `tb`). */
export function invoiceNetworkOf(node: NodeNetwork): InvoiceNetwork {
  const found = (Object.keys(INVOICE_NETWORKS) as InvoiceNetwork[]).find((inv) => INVOICE_NETWORKS[inv].includes(node));
  if (!found) throw error('NODE_WRONG_NETWORK', 'no invoice currency for node network', node);
  return found;
}
