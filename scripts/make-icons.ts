/**
 * Draws Satnav's icon (a lightning bolt as a compass needle, bitcoin orange on a dark
 * rounded square) and renders the PNG sizes the manifest names with headless Chromium.
 * One-off: `npx tsx scripts/make-icons.ts`; the outputs are committed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const OUT = new URL('../public/icons/', import.meta.url);
const SIZES = [16, 32, 48, 128] as const;
/** Below this the compass ring blurs into the background, so the bolt stands alone and larger. */
const RING_MIN_SIZE = 32;

function iconSvg(size: number | undefined, ring: boolean): string {
  const dims = size === undefined ? '' : ` width="${size}" height="${size}"`;
  const bolt = ring ? 'M71 20 40 69h21l-6 39 33-52H67z' : 'M74 8 30 72h28l-8 48 48-68H69z';
  const ticks = [0, 90, 180, 270]
    .map((deg) => `<rect x="61.5" y="15" width="5" height="11" rx="2.5" fill="#f7931a" fill-opacity="0.55" transform="rotate(${deg} 64 64)"/>`)
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 128 128"${dims}>`,
    '<defs>',
    '<linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#262b36"/><stop offset="1" stop-color="#0e1014"/></linearGradient>',
    '<linearGradient id="bolt" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#ffb347"/><stop offset="1" stop-color="#f7931a"/></linearGradient>',
    '</defs>',
    '<rect width="128" height="128" rx="28" fill="url(#bg)"/>',
    // A faint rim keeps the square's edge visible on dark toolbars.
    '<rect x="2" y="2" width="124" height="124" rx="26" fill="none" stroke="#fff" stroke-opacity="0.14" stroke-width="4"/>',
    ring ? `<circle cx="64" cy="64" r="44" fill="none" stroke="#f7931a" stroke-opacity="0.3" stroke-width="4"/>${ticks}` : '',
    `<path d="${bolt}" fill="url(#bolt)"/>`,
    '</svg>',
  ].join('');
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(new URL('icon.svg', OUT), `${iconSvg(undefined, true)}\n`);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ deviceScaleFactor: 1 });
    for (const size of SIZES) {
      await page.setViewportSize({ width: size, height: size });
      await page.setContent(`<html><body style="margin:0;background:transparent">${iconSvg(size, size >= RING_MIN_SIZE)}</body></html>`);
      const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
      writeFileSync(new URL(`icon-${size}.png`, OUT), png);
    }
  } finally {
    await browser.close();
  }
}

await main();
