/** Regenerates vectors.json: `npx tsx src/deposit/make-vectors.ts`. Test-only. */
import { writeFileSync } from 'node:fs';
import { bytesToHex } from '@noble/hashes/utils.js';
import { mnemonicToSeedSync } from '@scure/bip39';
import { invoice, NOW } from '../l402/test-fixtures.ts';
import { rootFromSeed } from '../keys/root.ts';
import { depositKeyFor, depositMessage, formatDepositCredential, signDeposit, type DepositAction } from './credential.ts';

export const MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const root = rootFromSeed(mnemonicToSeedSync(MNEMONIC));
const cases: { origin: string; realm: string; seed: string; action: DepositAction; nonce: string }[] = [
  { origin: 'https://news.example', realm: 'articles', seed: 'dep1', action: 'hold', nonce: '11'.repeat(32) },
  { origin: 'https://news.example', realm: 'articles', seed: 'dep1', action: 'release', nonce: '22'.repeat(32) },
  { origin: 'https://news.example', realm: 'articles', seed: 'dep1', action: 'status', nonce: '33'.repeat(32) },
  { origin: 'https://api.example:8443', realm: 'chat "pro"', seed: 'dep2', action: 'hold', nonce: 'ab'.repeat(32) },
];
const vectors = cases.map((c, i) => {
  const inv = invoice({ seed: c.seed, amountSat: 5000 });
  const key = depositKeyFor(root, c.origin);
  const proof = { action: c.action, origin: c.origin, realm: c.realm, paymentHash: inv.paymentHash, nonce: c.nonce, timestamp: NOW + i };
  const s = signDeposit(key, proof);
  return {
    ...proof, invoice: inv.paymentRequest, amountSat: 5000,
    message: new TextDecoder().decode(depositMessage(proof)), messageHex: bytesToHex(depositMessage(proof)),
    key: s.key, sig: s.sig, authorization: formatDepositCredential(s),
  };
});
writeFileSync(new URL('./vectors.json', import.meta.url), JSON.stringify({ mnemonic: MNEMONIC, vectors }, null, 2) + '\n');
