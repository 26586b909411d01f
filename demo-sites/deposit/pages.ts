/** The demo's own pages: the "sensitive" article behind the wall, the forfeit terms, the abuse outcome. */
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const sats = (n: number) => `${n.toLocaleString('en-US')} sats`;

function page(state: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="en" data-deposit="${state}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

export function articlePage(paymentHash: string, amountSat: number): string {
  return page(
    'held',
    'The leaked memo',
    `<p>This page is behind a deposit wall: your wallet holds a refundable deposit of ${sats(amountSat)} while you read.
Leave, and it comes back within seconds.</p>
<article>
<p>Bots that scrape or spam this page lose their deposits; readers lose nothing. A credit card cannot lock
a deposit at a hundred sites a day and get it back a second later; a Lightning hold invoice can.</p>
</article>
<p>Deposit <code id="deposit-hash">${paymentHash}</code></p>
<form method="post" action="/deposit/abuse">
<p>Demo only: behave like an abuser and let the site take the deposit.</p>
<button id="abuse" type="submit">Abuse (forfeit my deposit)</button>
</form>`,
  );
}

export function forfeitedPage(paymentHash: string, amountSat: number): string {
  return page(
    'forfeited',
    'Deposit forfeited',
    `<p>The site found abuse and settled your deposit of ${sats(amountSat)} under its terms.</p>
<p>Deposit <code id="deposit-hash">${paymentHash}</code></p>`,
  );
}

export function termsPage(idleSeconds: number, maxHoldSeconds: number): string {
  return page(
    'terms',
    'Deposit terms',
    `<ol id="terms">
<li>Your deposit is held while you read and released when you leave, after ${idleSeconds} s without a request, or after ${maxHoldSeconds} s at most.</li>
<li>It is forfeited only for abuse: automated scraping, spam, or pressing the page's "Abuse" button (a demo of abuse).</li>
</ol>`,
  );
}
