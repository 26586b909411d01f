import { describe, expect, it } from 'vitest';
import { parseDepositChallenge } from '../src/deposit/challenge.ts';
import { inv } from '../src/deposit/test-fixtures.ts';
import { defaultChallengePage, depositChallengeHeader, duration, type ChallengeFacts } from './challenge.ts';

const facts: ChallengeFacts = {
  realm: 'chat "pro"', paymentRequest: inv.paymentRequest, amountSat: 5000, maxHoldSeconds: 3600, maxCltv: 40, idleSeconds: 600,
  release: '/deposit/release', status: '/deposit/status', forfeitTerms: 'No <script> & no "spam"', nonce: 'ab'.repeat(32),
};

describe('challenge', () => {
  it('the header round-trips through the wallet’s parser (the same as in docs/deposit-wall.md §7)', () => {
    const c = parseDepositChallenge(depositChallengeHeader(facts), 'https://news.example')!;
    expect(c).toMatchObject({ realm: 'chat "pro"', amountSat: 5000, forfeit: 'No <script> & no "spam"', nonce: 'ab'.repeat(32), release: 'https://news.example/deposit/release' });
  });
  it('the page escapes what the site wrote and links terms that are a URL', () => {
    const html = defaultChallengePage(facts, true).body;
    expect(html).toContain('No &#60;script&#62; &#38; no &#34;spam&#34;');
    expect(html).not.toContain('<script>');
    expect(defaultChallengePage({ ...facts, forfeitTerms: '/terms' }, true).body).toContain('<a href="/terms">/terms</a>');
    expect(defaultChallengePage(facts, false).body).toContain('No <script> & no "spam"');
    expect(defaultChallengePage(facts, false).body).toContain('at most 40 blocks, about 7 hours');
    expect(defaultChallengePage({ ...facts, maxCltv: 18 }, false).body).toContain('about 3 hours');
  });
  it('durations in the largest even unit', () => {
    expect([duration(3600), duration(7200), duration(600), duration(60), duration(45), duration(90)]).toEqual(['1 hour', '2 hours', '10 minutes', '1 minute', '45 seconds', '90 seconds']);
  });
});
