// The paywall demo page: each element is behind one scheme (or all behind the one in ?scheme=).
// It only requests and reports: paying is the wallet's business. window.paywallState holds what
// each element got (HTTP status), for people and for the e2e tests.
const SCHEMES = ['l402', 'mpp', 'x402'];
const LABEL = { l402: 'L402', mpp: 'Payment (MPP)', x402: 'x402' };
const MIXED = { data: 'l402', image: 'mpp', poster: 'x402', article: 'l402', frame: 'l402' };
const FILES = { data: 'data.json', image: 'image.svg', poster: 'poster.svg', article: 'article.html', frame: 'frame.html' };
const only = new URLSearchParams(location.search).get('scheme');
const schemeOf = (k) => (SCHEMES.includes(only) ? only : MIXED[k]);
const pathOf = (k) => `/paywall/${schemeOf(k)}/${FILES[k]}`;
const $ = (id) => document.getElementById(id);
const state = (window.paywallState = {});
let round = 0;

function show(k, status) {
  state[k] = { status, scheme: schemeOf(k), url: pathOf(k) };
  const el = $(`${k}-status`);
  if (!el) return;
  el.dataset.status = String(status);
  const label = LABEL[schemeOf(k)];
  el.textContent =
    status === 200 ? `Paid with ${label}: shown.` : status === 402 ? `402 Payment Required (${label}). No wallet paid it.` : `HTTP ${status} (${label}).`;
}

// The HTTP status of img/poster/iframe loads, from Resource Timing (responseStatus, Chromium ≥ 109).
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const path = new URL(e.name).pathname;
    for (const k of ['image', 'poster', 'frame']) if (path === pathOf(k) && e.responseStatus) show(k, e.responseStatus);
  }
}).observe({ type: 'resource', buffered: true });

async function loadData() {
  const res = await fetch(`${pathOf('data')}?r=${round}`);
  const pre = $('data-json');
  if (res.ok) {
    pre.textContent = JSON.stringify(await res.json(), null, 2);
    pre.hidden = false;
  } else {
    const challenge = res.headers.get('www-authenticate') ?? (res.headers.get('payment-required') ? 'PAYMENT-REQUIRED: …' : '');
    pre.textContent = challenge ? `${challenge.slice(0, 160)}…` : await res.text();
    pre.hidden = false;
  }
  show('data', res.status);
}

function loadAll() {
  round++;
  const q = `?r=${round}`;
  const img = $('image');
  img.onload = () => show('image', 200);
  img.onerror = () => show('image', 402);
  img.src = pathOf('image') + q;
  $('video').poster = pathOf('poster') + q;
  const frame = $('frame');
  frame.onload = () => {
    const paid = frame.contentDocument?.documentElement?.dataset.paywall;
    if (paid) show('frame', paid === 'paid' ? 200 : 402);
  };
  frame.src = pathOf('frame') + q;
  $('article-link').href = pathOf('article');
  $('article-link').textContent = `Read the full article: why routing fees fell this year (${LABEL[schemeOf('article')]})`;
  loadData().catch((e) => ($('data-status').textContent = `Failed: ${e.message}`));
  loadStats().catch(() => undefined);
  setTimeout(() => loadStats().catch(() => undefined), 1500);
}

async function loadStats() {
  const s = await (await fetch('/paywall/stats')).json();
  $('price').textContent = `${s.config.priceSat} sat each; L402 tokens valid ${s.config.validitySec} s.`;
  const cols = ['invoicesIssued', 'invoicesSettled', 'served', 'refused'];
  $('stats').innerHTML =
    `<table><tr><th></th>${cols.map((c) => `<th>${c}</th>`).join('')}</tr>` +
    SCHEMES.map((k) => `<tr><th>${LABEL[k]}</th>${cols.map((c) => `<td>${s[k][c]}</td>`).join('')}</tr>`).join('') +
    '</table>';
}

$('schemes').textContent = Object.keys(MIXED)
  .map((k) => `${k} ${LABEL[schemeOf(k)]}`)
  .join(', ');
$('reload').addEventListener('click', loadAll);
loadAll();
