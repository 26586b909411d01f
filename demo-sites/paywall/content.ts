/**
 * What the paywall sells: five small resources, each served under every scheme
 * (`/paywall/<scheme>/<file>`), and the human-readable 402 page a browser shows for a navigation
 * or an iframe. L402 tokens are per service: `data`, `media` (image and poster), `articles`
 * (article and frame), so one token opens both media files, another both pages.
 */

export type Scheme = 'l402' | 'mpp' | 'x402';
export const SCHEMES: readonly Scheme[] = ['l402', 'mpp', 'x402'];
export const SCHEME_LABEL: Record<Scheme, string> = { l402: 'L402', mpp: 'Payment (MPP)', x402: 'x402' };

export interface Resource {
  file: string;
  service: string;
  mimeType: string;
  description: string;
  render(ctx: { scheme: Scheme; paymentHash: string }): string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const htmlPage = (title: string, state: string, body: string) => `<!doctype html>
<html lang="en" data-paywall="${esc(state)}">
<head><meta charset="utf-8"><title>${esc(title)}</title><link rel="stylesheet" href="/demo.css"></head>
<body><main>${body}</main></body>
</html>
`;

export const RESOURCES: Record<string, Resource> = {
  'data.json': {
    file: 'data.json',
    service: 'data',
    mimeType: 'application/json',
    description: 'Lightning Ledger market data',
    render: ({ scheme, paymentHash }) =>
      JSON.stringify({
        title: 'Lightning Ledger market data',
        btcUsd: 100_000,
        channelsOpenedToday: 1_234,
        medianFeePpm: 42,
        paidWith: scheme,
        paymentHash,
      }),
  },
  'image.svg': {
    file: 'image.svg',
    service: 'media',
    mimeType: 'image/svg+xml',
    description: 'Lightning Ledger chart',
    render: ({ scheme }) => `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="160" viewBox="0 0 320 160">
<rect width="320" height="160" rx="10" fill="#fff" stroke="#ddd"/>
<polyline fill="none" stroke="#e63946" stroke-width="4" points="20,130 70,110 120,118 170,70 220,80 270,40 300,30"/>
<text x="20" y="28" font-family="sans-serif" font-size="16" fill="#1d1d1f">Channel capacity, paid chart</text>
<text x="20" y="150" font-family="sans-serif" font-size="11" fill="#666">unlocked with ${esc(SCHEME_LABEL[scheme])}</text>
</svg>
`,
  },
  'poster.svg': {
    file: 'poster.svg',
    service: 'media',
    mimeType: 'image/svg+xml',
    description: 'Lightning Ledger video poster',
    render: ({ scheme }) => `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="270" viewBox="0 0 480 270">
<rect width="480" height="270" fill="#1d3557"/>
<circle cx="240" cy="135" r="48" fill="#e63946"/>
<polygon points="225,110 225,160 268,135" fill="#fff"/>
<text x="20" y="250" font-family="sans-serif" font-size="14" fill="#fff">Poster unlocked with ${esc(SCHEME_LABEL[scheme])}</text>
</svg>
`,
  },
  'article.html': {
    file: 'article.html',
    service: 'articles',
    mimeType: 'text/html; charset=utf-8',
    description: 'Lightning Ledger premium article',
    render: ({ scheme }) =>
      htmlPage(
        'Why routing fees fell this year',
        'paid',
        `<h1>Why routing fees fell this year</h1>
<p id="article-body">The full article: more channels, better pathfinding and smarter liquidity made payments cheaper.</p>
<p>Unlocked with ${esc(SCHEME_LABEL[scheme])}. <a href="/paywall.html">Back to the paywall demo</a></p>`,
      ),
  },
  'frame.html': {
    file: 'frame.html',
    service: 'articles',
    mimeType: 'text/html; charset=utf-8',
    description: 'Lightning Ledger embedded briefing',
    render: ({ scheme }) =>
      htmlPage('Embedded briefing', 'paid', `<p id="frame-body">Embedded briefing: paid content, unlocked with ${esc(SCHEME_LABEL[scheme])}.</p>`),
  },
};

/** The 402 page a browser shows when a navigation or an iframe hits the wall. */
export const paymentRequiredPage = (r: Resource, scheme: Scheme, priceSat: number, reason: { code: string; message: string } | null) =>
  htmlPage(
    '402 Payment Required',
    '402',
    `<h1>402 Payment Required</h1>
<p>${esc(r.description)} costs <strong>${priceSat} sat</strong>, paid over Lightning with <strong>${esc(SCHEME_LABEL[scheme])}</strong>.
A wallet that pays HTTP 402 walls opens it; without one, this is all there is.</p>
${reason ? `<p id="paywall-reason" data-code="${esc(reason.code)}">Credential refused: ${esc(reason.message)}</p>` : ''}`,
  );
