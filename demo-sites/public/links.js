// Payment links: the page only writes hrefs. The wallet opens what the person clicks; the page hears nothing back.
const log = document.getElementById('log');
const show = (label, value) => {
  const line = document.createElement('pre');
  line.textContent = `${label}: ${JSON.stringify(value)}`;
  log.prepend(line);
  window.lastResult = { label, value };
};
const host = location.host;
const set = (id, href) => {
  document.getElementById(id).href = href;
};

async function fill() {
  const [codes, invoice, login] = await Promise.all([
    fetch('/lnurl/codes').then((r) => r.json()),
    fetch(`/api/invoice?amount=120&memo=${encodeURIComponent("Lightning Times, today's edition")}`).then((r) => r.json()),
    fetch('/lnurl/login').then((r) => r.json()),
  ]);
  set('link-invoice', `lightning:${invoice.paymentRequest}`);
  set('link-address', `lightning:${codes.address}`);
  set('link-pay', `lnurlp://${host}/lnurl/pay`);
  set('link-pay-bech32', codes.pay.toUpperCase());
  set('link-reward', `lnurlw://${host}/lnurl/withdraw`);
  set('link-reward-fallback', `${location.origin}/links.html?lightning=${codes.withdraw.toUpperCase()}`);
  set('link-login', `keyauth://${host}/lnurl/login/cb?tag=login&k1=${login.k1}&action=login`);
  set('link-channel', `lnurlc://${host}/lnurl/channel`);
  window.invoice = invoice;
  window.loginK1 = login.k1;
  document.body.dataset.ready = 'true';
  show('ready', { invoice: invoice.paymentHash });
}

// What a page could try: clicks made by script. None of them is the person's, so none opens Satnav.
document.getElementById('scripted').addEventListener('click', () => {
  const links = [...document.querySelectorAll('ul.links a')];
  // The page keeps its own scripted clicks from following the links (after Satnav had its look, in the capture phase).
  const stay = (e) => {
    if (!e.isTrusted) e.preventDefault();
  };
  document.addEventListener('click', stay);
  for (const a of links) {
    a.click();
    a.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, view: window, button: 0 }));
  }
  document.removeEventListener('click', stay);
  show('scripted', { clicked: links.length * 2 });
});

// The login link's outcome, as the site sees it.
setInterval(async () => {
  if (!window.loginK1) return;
  const status = await (await fetch(`/lnurl/login/status?k1=${window.loginK1}`)).json();
  if (status.loggedIn) document.getElementById('login-status').textContent = `Logged in as ${status.key.slice(0, 16)}…`;
}, 1000);

fill().catch((e) => show('error', { message: e.message }));
