import { describe, expect, it } from 'vitest';
import { portPair, type FakePort } from '../../src/testing/port-pair.ts';
import { waitFor } from '../../src/testing/wait-for.ts';
import { OFFSCREEN_JUSTIFICATION, OFFSCREEN_REASON, OffscreenDocument } from './offscreen.ts';

const URL_ = 'chrome-extension://satnav/extension/offscreen/index.html';
const IDLE = 30;

/** chrome.offscreen as the worker sees it: one document at most, creation and closing take a moment. */
function chrome(open = false) {
  const state = { open, created: 0, closed: 0, params: [] as unknown[], failCreate: false };
  const documents: FakePort[] = [];
  const later = () => new Promise((r) => setTimeout(r, 5));
  const deps = {
    api: {
      async createDocument(params: unknown) {
        await later();
        if (state.failCreate) throw new Error('Only a single offscreen document may be created.');
        if (state.open) throw new Error('Only a single offscreen document may be created.');
        state.open = true;
        state.created++;
        state.params.push(params);
      },
      async closeDocument() {
        await later();
        if (!state.open) throw new Error('No current offscreen document.');
        state.open = false;
        state.closed++;
      },
    },
    exists: async () => state.open,
    connect: () => {
      // Connecting to a closed document: the port closes at once, as Chrome's does.
      const [worker, document] = portPair();
      if (!state.open) document.disconnect();
      documents.push(document);
      return worker;
    },
    idleMs: IDLE,
  };
  return { state, documents, deps };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('OffscreenDocument: created on demand, closed when idle', () => {
  it('is created by the first call with its reason and justification, once for calls that overlap', async () => {
    const c = chrome();
    const doc = new OffscreenDocument(c.deps, URL_);
    const ports = await Promise.all([doc.open(), doc.open(), doc.open()]);
    expect(c.state.created).toBe(1);
    expect(c.state.params).toEqual([{ url: URL_, reasons: [OFFSCREEN_REASON], justification: OFFSCREEN_JUSTIFICATION }]);
    for (const p of ports) p.disconnect();
  });

  it('stays open while a call (a stream) runs past the idle time, and closes once the last one ended', async () => {
    const c = chrome();
    const doc = new OffscreenDocument(c.deps, URL_);
    const stream = await doc.open();
    const quick = await doc.open();
    quick.disconnect();
    await pause(IDLE * 3);
    expect([c.state.open, c.state.closed]).toEqual([true, 0]);
    stream.disconnect();
    await waitFor(async () => c.state.closed === 1);
    expect(c.state.open).toBe(false);
  });

  it('a call the document ended (its side closed the port) counts as ended too', async () => {
    const c = chrome();
    const doc = new OffscreenDocument(c.deps, URL_);
    await doc.open();
    c.documents[0]!.disconnect();
    await waitFor(async () => c.state.closed === 1);
  });

  it('a document a dead worker left open is closed by the next worker when nothing uses it', async () => {
    const c = chrome(true);
    new OffscreenDocument(c.deps, URL_);
    await waitFor(async () => c.state.closed === 1);
  });

  it('a call arriving while the idle close runs gets a document again', async () => {
    const c = chrome();
    const doc = new OffscreenDocument(c.deps, URL_);
    (await doc.open()).disconnect();
    // The idle timer fires and its close is under way (5 ms) when the next call asks.
    await pause(IDLE + 2);
    const port = await doc.open();
    expect(c.state.open).toBe(true);
    expect(port).toBeDefined();
    expect(c.documents.at(-1)!.closed).toBe(false);
    expect([c.state.created, c.state.closed]).toEqual([2, 1]);
    port.disconnect();
  });

  it('a document that cannot be created fails the call as a network error, and holds nothing open', async () => {
    const c = chrome();
    c.state.failCreate = true;
    const doc = new OffscreenDocument(c.deps, URL_);
    await expect(doc.open()).rejects.toThrow(TypeError);
    c.state.failCreate = false;
    (await doc.open()).disconnect();
    await waitFor(async () => c.state.closed === 1);
  });
});
