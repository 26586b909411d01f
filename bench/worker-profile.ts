/**
 * A CPU profile of Satnav's service worker, for the bench's "where does the time go" tools
 * (send-profile.ts, paywall-only.ts). Playwright gives CDP sessions to pages only; puppeteer-core
 * reaches the worker over the browser's debugging port (`--remote-debugging-port`).
 */
import { writeFileSync } from 'node:fs';
import puppeteer from 'puppeteer-core';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Starts sampling (every 50 µs) the extension's service worker in the browser listening on `port`. */
export async function profileWorker(port: number) {
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${port}` });
  const target = await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().startsWith('chrome-extension://'));
  const cdp = await target.createCDPSession();
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 50 });
  await cdp.send('Profiler.start');
  return {
    /** Stops; prints CPU per `unit` (self and inclusive, per function); PROFILE_OUT=<file> keeps the .cpuprofile for DevTools. */
    async stop(units: number, unit: string): Promise<void> {
      const { profile } = await cdp.send('Profiler.stop');
      await browser.disconnect();
      if (process.env.PROFILE_OUT) writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile));
      const p = summarize(profile as Profile, units);
      console.log(`\nworker CPU (profiled: the profiler slows it) busy ${p.busyMs.toFixed(2)} ms per ${unit}\n\nself, ms per ${unit}:\n${p.self.join('\n')}\n\ninclusive, ms per ${unit}:\n${p.inclusive.join('\n')}`);
    },
  };
}

function summarize(profile: Profile, units: number) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (id: number) => {
    const f = nodes.get(id)!.callFrame;
    return `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
  };
  const self = new Map<number, number>();
  profile.samples.forEach((s, i) => self.set(s, (self.get(s) ?? 0) + (profile.timeDeltas[i + 1] ?? 0)));
  const selfBy = new Map<string, number>();
  const inclBy = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    selfBy.set(name(id), (selfBy.get(name(id)) ?? 0) + us);
    if (!/^\((idle|program)\)/.test(name(id))) busy += us;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      if (seen.has(name(cur))) continue;
      seen.add(name(cur));
      inclBy.set(name(cur), (inclBy.get(name(cur)) ?? 0) + us);
    }
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `${(us / 1000 / units).toFixed(3).padStart(8)}  ${k}`);
  return { busyMs: busy / 1000 / units, self: top(selfBy, 30), inclusive: top(inclBy, 50) };
}
