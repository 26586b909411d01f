/**
 * Firefox's manifest, made from the one manifest.json at build time (`vite build --mode firefox`,
 * vite.config.ts): the same extension, with only what Firefox reads differently.
 *
 * - `background.scripts`: Firefox's MV3 background is an event page; it has no
 *   `background.service_worker`. crxjs (`browser: 'firefox'`) writes its loader there.
 * - `browser_specific_settings.gecko`: a fixed add-on id keeps storage and permissions across
 *   reinstalls (Chrome pins its id with `key`, which Firefox does not read: dropped, like
 *   `minimum_chrome_version`). 128 is the first Firefox with `"world": "MAIN"` content scripts,
 *   which put `window.webln` in place before a page's first script; `sender.origin`, which the
 *   worker trusts to tell who asks (sender.ts), needs 126.
 * - `options_ui`: Firefox ignores `options_page`, and `runtime.openOptionsPage()` needs one of them.
 * - no `favicon` permission: Firefox has neither it nor the `/_favicon/` pages; the prompt shows
 *   no site icon there (extension/platform.ts). No `offscreen` either: Firefox has no offscreen
 *   documents (its background is a document already).
 * - `data_collection_permissions`: AMO asks every new add-on to declare what it sends its
 *   developer; Satnav sends nothing anywhere but to the person's own node and the sites they pay.
 */
export const FIREFOX_ID = 'satnav@satnav.example';
export const FIREFOX_MIN_VERSION = '128.0';
const CHROME_ONLY_PERMISSIONS = ['favicon', 'offscreen'];

/** The keys of manifest.json this changes. */
interface ChromeManifest {
  background: { service_worker: string; type?: string };
  permissions: string[];
  key?: string;
  minimum_chrome_version?: string;
  options_page?: string;
}

export function firefoxManifest<M extends ChromeManifest>(chrome: M) {
  const { key: _key, minimum_chrome_version: _min, options_page, background, permissions, ...rest } = chrome;
  return {
    ...rest,
    background: { scripts: [background.service_worker], type: 'module' as const },
    ...(options_page !== undefined && { options_ui: { page: options_page, open_in_tab: true } }),
    permissions: permissions.filter((p) => !CHROME_ONLY_PERMISSIONS.includes(p)),
    browser_specific_settings: {
      gecko: { id: FIREFOX_ID, strict_min_version: FIREFOX_MIN_VERSION, data_collection_permissions: { required: ['none' as const] } },
    },
  };
}
