// The rewards page: every action is one webln.lnurl(...) call with a code from the site's LNURL service.
const log = document.getElementById('log');
const show = (label, value) => {
  const line = document.createElement('pre');
  line.textContent = `${label}: ${JSON.stringify(value)}`;
  log.prepend(line);
  window.lastResult = { label, value };
};
const codes = () => fetch('/lnurl/codes').then((r) => r.json());
const webln = async () => {
  await window.webln.enable();
  return window.webln;
};
const actions = {
  enable: async () => (await webln(), { enabled: true }),
  reward: async () => (await webln()).lnurl((await codes()).withdraw),
  tip: async () => (await webln()).lnurl((await codes()).pay),
  address: async () => (await webln()).lnurl((await codes()).address),
  login: async () => {
    const { lnurl, k1 } = await (await fetch('/lnurl/login')).json();
    const result = await (await webln()).lnurl(lnurl);
    const status = await (await fetch(`/lnurl/login/status?k1=${k1}`)).json();
    document.getElementById('login-status').textContent = status.loggedIn ? `Logged in as ${status.key.slice(0, 16)}…` : 'Not logged in.';
    return { ...result, loggedIn: status.loggedIn, key: status.key };
  },
};
for (const [name, run] of Object.entries(actions)) {
  document.getElementById(name).addEventListener('click', async () => {
    try {
      show(name, await run());
    } catch (e) {
      show(name, { error: e.name, code: e.code, message: e.message });
    }
  });
}
