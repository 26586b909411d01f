import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIREFOX_ID, firefoxManifest } from '../../scripts/firefox-manifest.ts';

const root = new URL('../../', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8')) as Record<string, unknown>;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('manifest: what the outside world can reach', () => {
  it('no web page or other extension can message the worker or frame its pages', () => {
    // Without externally_connectable, web pages can't message at all; other extensions can,
    // but nothing listens (see the next test). No web_accessible_resources: no page can frame the prompt.
    expect(manifest).not.toHaveProperty('externally_connectable');
    expect(manifest).not.toHaveProperty('web_accessible_resources');
  });

  it('no listener for other extensions in Satnav’s code', () => {
    const code = sources(join(root, 'extension')).map((p) => readFileSync(p, 'utf8'));
    for (const api of ['onMessageExternal', 'onConnectExternal', 'onUserScriptMessage']) expect(code.filter((c) => c.includes(api))).toEqual([]);
  });

  it('extension pages run only their own packaged scripts', () => {
    expect(manifest.content_security_policy).toEqual({ extension_pages: "script-src 'self'; object-src 'self'" });
  });

  it('content scripts run in http(s) frames only, never in about:blank, data:, blob: or file: frames', () => {
    const scripts = manifest.content_scripts as Array<Record<string, unknown>>;
    expect(scripts.map((s) => s.js)).toEqual([['extension/content/provider.iife.ts'], ['extension/content/bridge.iife.ts']]);
    for (const s of scripts) {
      expect(s.matches).toEqual(['http://*/*', 'https://*/*']);
      expect(s.run_at).toBe('document_start');
      expect(s).not.toHaveProperty('match_about_blank');
      expect(s).not.toHaveProperty('match_origin_as_fallback');
    }
  });

  it('asks for no permission beyond storage, alarms, favicons, observing requests (webRequest, never blocking), session header rules, notifications, an offscreen document and scripting', () => {
    // declarativeNetRequestWithHostAccess, not declarativeNetRequest: no install warning of its own, and rules act
    // only where the host permissions already reach. No static rulesets: every rule is a session rule the worker makes.
    // notifications: a deposit refunded or forfeited is told to the person even with the popup closed.
    // offscreen: node calls where a certificate the person accepted applies (background/offscreen.ts); no install warning.
    // scripting: once a wall an element met is paid, content/refetch.ts runs in that document (no install warning;
    // only the extension's own functions, where the host permissions already reach), so no page carries it otherwise.
    expect(manifest.permissions).toEqual(['storage', 'alarms', 'favicon', 'webRequest', 'declarativeNetRequestWithHostAccess', 'notifications', 'offscreen', 'scripting']);
    expect(manifest).not.toHaveProperty('declarative_net_request');
  });

  it('webRequest is only observed: no listener asks to block or rewrite', () => {
    const code = sources(join(root, 'extension')).map((p) => readFileSync(p, 'utf8'));
    expect(code.filter((c) => /['"](blocking|asyncBlocking)['"]/.test(c))).toEqual([]);
    expect(code.filter((c) => /onBeforeSendHeaders|onAuthRequired/.test(c))).toEqual([]);
  });

  it('the only declarativeNetRequest rules are the 402 and deposit header rules, each made in one module', () => {
    const users = sources(join(root, 'extension'))
      .filter((p) => /updateSessionRules|updateDynamicRules|updateEnabledRulesets/.test(readFileSync(p, 'utf8')))
      .map((p) => p.slice(root.length));
    // send-watch.ts makes none: it passes those two modules' changes through, to hear their origins' requests.
    expect(users.sort()).toEqual(['extension/background/deposits.ts', 'extension/background/paywall/rules.ts', 'extension/background/paywall/send-watch.ts']);
  });

  it('scripting runs one function of its own in pages, from one module: the refetch of a paid element', () => {
    const users = sources(join(root, 'extension')).filter((p) => /\bscripting\.\w+\(/.test(readFileSync(p, 'utf8')));
    expect(users.map((p) => p.slice(root.length))).toEqual(['extension/background/paywall/index.ts']);
    const calls = readFileSync(users[0]!, 'utf8').match(/scripting\.\w+\([^\n]*/g);
    expect(calls).toHaveLength(1);
    expect(calls![0]).toMatch(/^scripting\.executeScript\(\{ target, world: 'MAIN', injectImmediately: true, func: refetch /);
  });
});

describe("Firefox's manifest (npm run build:firefox): the same extension, in Firefox's terms", () => {
  const firefox = firefoxManifest(manifest as unknown as Parameters<typeof firefoxManifest>[0]) as Record<string, unknown>;

  it('an event page running the same worker, a fixed add-on id, and a floor of Firefox 128 (MAIN-world content scripts)', () => {
    expect(firefox.background).toEqual({ scripts: ['extension/background/worker.ts'], type: 'module' });
    expect(firefox.browser_specific_settings).toMatchObject({ gecko: { id: FIREFOX_ID, strict_min_version: '128.0' } });
  });

  it("no key Firefox doesn't read; the options page where Firefox looks for it", () => {
    for (const key of ['key', 'minimum_chrome_version', 'options_page']) expect(firefox).not.toHaveProperty(key);
    expect(firefox.options_ui).toEqual({ page: manifest.options_page, open_in_tab: true });
  });

  it('the same permissions but the Chrome-only ones (favicon, offscreen), the same reach, content scripts and page CSP', () => {
    expect(firefox.permissions).toEqual(['storage', 'alarms', 'webRequest', 'declarativeNetRequestWithHostAccess', 'notifications', 'scripting']);
    for (const key of ['host_permissions', 'content_scripts', 'content_security_policy', 'action', 'name', 'version', 'default_locale'])
      expect(firefox[key]).toEqual(manifest[key]);
    expect(firefox).not.toHaveProperty('web_accessible_resources');
    expect(firefox).not.toHaveProperty('externally_connectable');
  });
});
