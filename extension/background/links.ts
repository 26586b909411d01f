import browser, { type Runtime } from 'webextension-polyfill';
import type { PageContext } from '../../src/base/origin.ts';
import { moduleErrors, SatnavError } from '../../src/errors.ts';
import { linkRequest } from '../../src/links/parse.ts';
import { serviceText } from '../../src/lnurl/service-text.ts';
import type { LnurlResult } from '../../src/webln/lnurl-flow.ts';
import type { LinkHooks } from '../../src/webln/service.ts';
import type { MessageKey } from '../ui/i18n.ts';
import { pageContext } from './sender.ts';

const error = moduleErrors('links');

/**
 * Payment links the person clicked on a page: the content bridge saw a trusted click on one
 * (content/link-click.ts) and sent its target. Staged like the page router, each stage refusing
 * before the next runs:
 *
 * | stage          | refuses                                                              |
 * | -------------- | -------------------------------------------------------------------- |
 * | known message  | anything but `{href}` within bounds (zod)                            |
 * | trusted sender | a sender that is not a content script of an http(s) frame in a tab   |
 * | rate limit     | a second link while the tab's first is open; over LINKS_PER_MINUTE   |
 * | parse + flow   | a bad link (clear error); the flow's own prompts, budgets and limits |
 *
 * The origin (and the page a frame sits inside) is the browser's word on the sender, never the
 * message's. The page is answered nothing: what came of a link the person reads in its prompt,
 * in Activity, or (a refusal, a reward claimed without a prompt) in a notification.
 */
/** Links one tab may open a minute: a person clicks a few; a page that tricks clicks out of them gets no more. */
export const LINKS_PER_MINUTE = 6;
const MINUTE_MS = 60_000;

/** What the person is told of a link when no window tells them. */
export type LinkNotice =
  | { kind: 'failed'; code: string }
  | { kind: 'serviceFailed' }
  /** `reason` is the service's own text, as it sent it: noticeText cleans it up. */
  | { kind: 'serviceSaid'; domain: string; reason: string }
  | { kind: 'claimed'; domain: string; amountSat: number };

export interface LinkRouterDeps {
  /** Runs the link's flow (WeblnService.openLink). */
  open(ctx: PageContext, href: string, hooks: LinkHooks): Promise<LnurlResult>;
  notify(notice: LinkNotice): void;
  now?: () => number;
}

export class LinkRouter {
  /** Tabs with a link under way: one at a time. In memory: a dead worker took the flows with it. */
  private readonly busy = new Set<number>();
  /** Per tab: when its recent links came. */
  private readonly recent = new Map<number, number[]>();
  private readonly now: () => number;

  constructor(private readonly d: LinkRouterDeps) {
    this.now = d.now ?? Date.now;
  }

  /** One message on LINK_CHANNEL; resolves when the link's flow is over (nothing is sent back). */
  async route(raw: unknown, sender: Runtime.MessageSender): Promise<void> {
    const parsed = linkRequest.safeParse(raw);
    if (!parsed.success) return;
    const ctx = pageContext(sender);
    // Only a tab's content script can report a click; anything else is not a person on a page.
    if (!ctx || ctx.tabId === undefined) return;
    const tabId = ctx.tabId;
    try {
      this.admit(tabId, ctx.origin);
    } catch (e) {
      return this.told(e);
    }
    this.busy.add(tabId);
    try {
      const result = await this.d.open(ctx, parsed.data.href, {
        onAutoClaim: (domain, amountSat) => this.d.notify({ kind: 'claimed', domain, amountSat }),
      });
      // A service's refusal in its own words is meant for the person (LUD-01), said with whose words they are; a failure on the wire reads as one.
      if (result.status === 'ERROR')
        this.d.notify(result.domain === undefined ? { kind: 'serviceFailed' } : { kind: 'serviceSaid', domain: result.domain, reason: result.reason });
    } catch (e) {
      this.told(e);
    } finally {
      this.busy.delete(tabId);
    }
  }

  private admit(tabId: number, origin: string): void {
    if (this.busy.has(tabId)) throw error('APPROVAL_PENDING', 'a link of this tab is still open, from', origin);
    const now = this.now();
    const recent = (this.recent.get(tabId) ?? []).filter((at) => now - at < MINUTE_MS);
    if (recent.length >= LINKS_PER_MINUTE) throw error('RATE_LIMITED', 'too many links from one tab, from', origin);
    recent.push(now);
    this.recent.set(tabId, recent);
  }

  /** The person said no: nothing to tell. Anything else is said, by its code. */
  private told(e: unknown): void {
    if (e instanceof SatnavError && e.code === 'REJECTED') return;
    if (!(e instanceof SatnavError)) console.warn('satnav link failed', e);
    this.d.notify({ kind: 'failed', code: e instanceof SatnavError ? e.code : 'INTERNAL' });
  }
}

type GetMessage = (key: string, substitutions?: string[]) => string;

/** The most of a service's text a notification shows. */
export const REASON_MAX_CHARS = 200;

/**
 * A notice in the person's words; an error code without its own text says only that the link failed.
 * Domains are URL hosts (punycode, no spaces); a service's text is anything, so it is cleaned first.
 */
export function noticeText(n: LinkNotice, t: GetMessage): { title: string; message: string } {
  if (n.kind === 'claimed') return { title: t('link_notifyClaimedTitle'), message: t('link_notifyClaimedBody', [n.amountSat.toLocaleString(), n.domain]) };
  const title = t('link_notifyFailedTitle');
  if (n.kind === 'serviceSaid') {
    const words = serviceText(n.reason, REASON_MAX_CHARS);
    // Nothing left once cleaned: told like any other failure of the service.
    return { title, message: words === '' ? t('link_serviceFailed') : t('link_serviceSaid', [n.domain, words]) };
  }
  if (n.kind === 'serviceFailed') return { title, message: t('link_serviceFailed') };
  // Only a link's own scheme says LNURL_UNSUPPORTED here (links/parse.ts): the channel request.
  if (n.code === 'LNURL_UNSUPPORTED') return { title, message: t('link_channelUnsupported') };
  return { title, message: t(`error_${n.code}`) || t('link_notifyFailedBody') };
}

/** The browser's language (a notification can't wait for the pages' chosen catalog), like deposits' notices. */
const getMessage: GetMessage = (key, substitutions) => browser.i18n.getMessage(key as MessageKey, substitutions);

export function showLinkNotice(n: LinkNotice): void {
  const { title, message } = noticeText(n, getMessage);
  browser.notifications
    .create(`satnav-link-${crypto.randomUUID()}`, { type: 'basic', iconUrl: browser.runtime.getURL('icons/icon-128.png'), title, message })
    .catch((e: unknown) => console.warn('satnav link notice:', e));
}
