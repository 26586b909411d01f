/** Test-only: a Deposit challenge line built as a site's server would. */
import { formatAuthChallenge } from '../l402/authparams.ts';
import { invoice, type TestInvoice } from '../l402/test-fixtures.ts';

export const ORIGIN = 'https://news.example';
export const inv = invoice({ seed: 'dep1', amountSat: 5000 });

export function depositLine(o: Partial<Record<string, string>> = {}, i: TestInvoice = inv): string {
  const base: Record<string, string> = {
    realm: 'articles', invoice: i.paymentRequest, amount: '5000', max_hold: '3600', max_cltv: '40', idle: '600',
    release: '/deposit/release', status: '/deposit/status', forfeit: 'https://news.example/terms#forfeit', nonce: '11'.repeat(32),
  };
  const all = { ...base, ...o };
  return formatAuthChallenge('Deposit', Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '<drop>'));
}
