// Page side of bench/paywall.ts, added to a demo-site page as is (plain JavaScript: nothing of
// the bench's TypeScript toolchain reaches the browser). `fetch` here is the page's, which Satnav's
// provider wraps (one transparent retry after a 402 it opened); `nativeFetch` is the browser's own,
// taken from an about:blank frame, where no content script runs: requests made with it see no
// Satnav code, only the browser's header rules.
(() => {
  const frame = document.createElement('iframe');
  frame.style.display = 'none';
  document.body.append(frame);
  const inner = frame.contentWindow;
  const nativeFetch = inner.fetch.bind(inner);
  const isNative = (f) => Function.prototype.toString.call(f).includes('[native code]');
  const read = (res) => res.arrayBuffer().then(() => res.status);
  const timed = async (send) => {
    const t = performance.now();
    const status = await read(await send());
    return { ms: performance.now() - t, status };
  };
  const many = async (n, send) => {
    const t = performance.now();
    const statuses = await Promise.all(Array.from({ length: n }, () => send().then(read)));
    return { ms: performance.now() - t, statuses };
  };
  let fetchWithL402;

  window.benchPaywall = {
    check: () => ({ pageFetchWrapped: !isNative(window.fetch), frameFetchNative: isNative(inner.fetch) }),

    /** The same request twice: Satnav's header rule adds the credential / the page sets it itself. */
    async cached(url, authorization) {
      const viaSatnav = await timed(() => fetch(url, { cache: 'no-store' }));
      const byHand = await timed(() => nativeFetch(url, { cache: 'no-store', headers: { authorization } }));
      return { viaSatnav, byHand };
    },

    /** One request meeting the wall with no credential held: 402, Satnav pays, the retry. Both requests' timings. */
    async firstPaid(url) {
      performance.clearResourceTimings();
      const t = performance.now();
      const res = await fetch(url, { cache: 'no-store' });
      const status = await read(res);
      const total = performance.now() - t;
      const entries = performance
        .getEntriesByName(url, 'resource')
        .map((e) => ({ start: e.startTime, end: e.responseEnd, status: e.responseStatus ?? 0 }));
      return { status, total, entries, timeOrigin: performance.timeOrigin };
    },

    concurrentSatnav: (url, n) => many(n, () => fetch(url, { cache: 'no-store' })),

    /** @getalby/lightning-tools' ESM build, with the browser's own fetch in place of the page's. */
    async loadAlby(code) {
      const source = `const fetch = window.benchNativeFetch;\n${code}`;
      const mod = await import(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
      fetchWithL402 = mod.fetchWithL402;
      return typeof fetchWithL402;
    },

    /** fetchWithL402 paying through the page's window.webln (Satnav's provider). */
    concurrentAlby(url, n) {
      const wallet = {
        payInvoice: async ({ invoice }) => ({ preimage: (await window.webln.sendPayment(invoice)).preimage }),
      };
      return many(n, () => fetchWithL402(url, {}, { wallet }));
    },
  };
  window.benchNativeFetch = nativeFetch;
})();
