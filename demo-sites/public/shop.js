// Shared by the two WebLN demo pages: a tiny shop that sells articles for sats.
// `getProvider` differs: one page uses the webln package's requestProvider(), the other window.webln.
export function shop(getProvider) {
  const log = document.getElementById('log');
  const show = (label, value) => {
    const line = document.createElement('pre');
    line.dataset.label = label;
    line.textContent = `${label}: ${typeof value === 'string' ? value : JSON.stringify(value)}`;
    log.prepend(line);
    window.lastResult = { label, value };
  };
  const fail = (label, e) => {
    show(label, { error: e.name, code: e.code, message: e.message });
  };
  const invoice = async (amount, memo) => (await (await fetch(`/api/invoice?amount=${amount}&memo=${encodeURIComponent(memo)}`)).json()).paymentRequest;

  const actions = {
    enable: async () => { await getProvider(); return { enabled: true }; },
    info: async () => (await getProvider()).getInfo(),
    buy: async () => (await getProvider()).sendPayment(await invoice(Number(document.getElementById('amount').value), 'Article: Lightning deposits explained')),
    keysend: async () => {
      const { pubkey } = await (await fetch('/api/merchant')).json();
      return (await getProvider()).keysend({ destination: pubkey, amount: 21, customRecords: { '696969': 'sat' } });
    },
    receive: async () => {
      const inv = await (await getProvider()).makeInvoice({ amount: 50, defaultMemo: 'Refund from the shop' });
      const paid = await (await fetch(`/api/pay?pr=${inv.paymentRequest}`)).json();
      return { invoice: inv, merchantPaid: paid.status };
    },
    sign: async () => (await getProvider()).signMessage('I own this node'),
    verify: async () => {
      const w = await getProvider();
      const { signature } = await w.signMessage('check me');
      return w.verifyMessage(signature, 'check me');
    },
  };
  for (const [name, run] of Object.entries(actions)) {
    document.getElementById(name)?.addEventListener('click', async () => {
      try {
        show(name, await run());
      } catch (e) {
        fail(name, e);
      }
    });
  }
  window.demoShop = { actions, invoice };
}
