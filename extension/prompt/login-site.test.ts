import { describe, expect, it } from 'vitest';
import { isLoginForAskingSite } from './login-site.ts';

describe('isLoginForAskingSite', () => {
  const own: Array<[origin: string, domain: string]> = [
    ['https://stacker.news', 'stacker.news'],
    ['https://www.shop.example', 'auth.shop.example'],
    ['https://shop.example:8443', 'login.shop.example'],
    ['https://blog.shop.co.uk', 'shop.co.uk'],
    ['https://alice.github.io', 'alice.github.io'],
    ['http://127.0.0.1:8900', '127.0.0.1'],
  ];
  for (const [origin, domain] of own) it(`${domain} from ${origin}: its own site`, () => expect(isLoginForAskingSite(origin, domain)).toBe(true));

  const other: Array<[origin: string, domain: string]> = [
    ['https://evil.example', 'bank.example'],
    ['https://shop.example', 'shop.example.evil'],
    ['https://attacker.co.uk', 'shop.co.uk'],
    // Two github.io users are two owners, as for the browser's own site isolation.
    ['https://mallory.github.io', 'alice.github.io'],
    ['http://127.0.0.1:8900', '127.0.0.2'],
    ['http://localhost:5173', '127.0.0.1'],
    ['null', 'bank.example'],
  ];
  for (const [origin, domain] of other) it(`${domain} from ${origin}: another site`, () => expect(isLoginForAskingSite(origin, domain)).toBe(false));
});
