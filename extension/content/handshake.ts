/**
 * The page provider (MAIN world) and the bridge (isolated world) share a
 * private MessageChannel. Its port is handed over with synchronously
 * dispatched DOM events while both scripts run at document_start, before any
 * page script exists, so no page script or other frame ever sees the port.
 * Whichever script runs second completes the handshake; each side accepts
 * exactly one handshake per document.
 */
export const PROVIDER_READY_EVENT = 'satnav:provider-ready';
export const BRIDGE_PORT_EVENT = 'satnav:bridge-port';

/** Bridge side: offer a port now, and again once if the provider announces itself later. */
export function offerPort(onConnected: (port: MessagePort) => void): void {
  let done = false;
  const offer = () => {
    if (done) return;
    const channel = new MessageChannel();
    // dispatchEvent is synchronous: a listening provider takes the port before this returns.
    const event = new MessageEvent(BRIDGE_PORT_EVENT, { ports: [channel.port2], cancelable: true });
    window.dispatchEvent(event);
    if (event.defaultPrevented) {
      done = true;
      window.removeEventListener(PROVIDER_READY_EVENT, offer, true);
      onConnected(channel.port1);
    }
  };
  window.addEventListener(PROVIDER_READY_EVENT, offer, true);
  offer();
}

/** Provider side: take the first port offered; announce ourselves in case the bridge ran first. */
export function acceptPort(onConnected: (port: MessagePort) => void): void {
  let done = false;
  // Kept after the handshake (`done` refuses any other port): fewer bytes in every page.
  addEventListener(
    BRIDGE_PORT_EVENT,
    (event) => {
      const port = (event as MessageEvent).ports?.[0];
      if (done || !port) return;
      done = true;
      event.preventDefault();
      onConnected(port);
    },
    true,
  );
  dispatchEvent(new Event(PROVIDER_READY_EVENT));
}
