// Runs as a normal page script: shows whether window.webln was there before the page's own code.
document.getElementById('provider-status').textContent =
  typeof window.webln === 'object' ? 'WebLN provider found (window.webln).' : 'No WebLN provider on this page.';
