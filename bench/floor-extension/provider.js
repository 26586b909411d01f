// window.floorPay({ url, macaroon, paymentRequest }): the page's call, over the bridge's port.
let port;
const waiting = new Map();
let next = 1;
addEventListener('floor:port', (e) => {
  port = e.ports[0];
  port.onmessage = ({ data }) => {
    waiting.get(data.id)?.(data.reply);
    waiting.delete(data.id);
  };
}, { once: true });
window.floorPay = (call) => new Promise((resolve) => {
  const id = next++;
  waiting.set(id, resolve);
  port.postMessage({ id, call });
});
