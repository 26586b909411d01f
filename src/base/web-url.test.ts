import { describe, expect, it } from 'vitest';
import { thrownCode } from '../testing/expect-code.ts';
import { parseWebUrl } from './web-url.ts';

describe('parseWebUrl', () => {
  it('takes http and https', () => {
    expect(parseWebUrl('https://news.example/a?b').origin).toBe('https://news.example');
    expect(parseWebUrl('http://127.0.0.1:8900/x').port).toBe('8900');
  });
  for (const raw of ['', 'not a url', '/relative', 'javascript:alert(1)', 'data:text/html,x', 'ftp://host/file', 'chrome-extension://abc/page.html'])
    it(`refuses ${JSON.stringify(raw)} as BAD_REQUEST`, () => expect(thrownCode(() => parseWebUrl(raw))).toBe('BAD_REQUEST'));
});
