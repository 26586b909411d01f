// The provider's port, handed over at document_start like Satnav's; each call relayed to the worker.
const channel = new MessageChannel();
channel.port1.onmessage = async ({ data }) => channel.port1.postMessage({ id: data.id, reply: await chrome.runtime.sendMessage(data.call) });
window.dispatchEvent(new MessageEvent('floor:port', { ports: [channel.port2] }));
