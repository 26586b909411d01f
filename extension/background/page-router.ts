import type { Runtime } from 'webextension-polyfill';
import { moduleErrors } from '../../src/errors.ts';
import { toPageError } from '../../src/webln/error-names.ts';
import type { PortReply } from '../../src/webln/page-channel.ts';
import { pageRequest } from '../../src/webln/params.ts';
import { pageContext } from './sender.ts';
import type { Services } from './services.ts';

const error = moduleErrors('webln');

type Reply = Omit<PortReply, 'id'> & { error?: PortReply['error'] & { name: string } };

/**
 * Requests from web pages (through the bridge). The origin is the one the
 * browser reports for the sending frame; nothing in the message can change it.
 */
export async function routePageMessage(raw: unknown, sender: Runtime.MessageSender, services: Promise<Services>): Promise<Reply> {
  try {
    const ctx = pageContext(sender);
    if (!ctx) throw error('FORBIDDEN', 'not a web page sender', sender.url ?? '(none)');
    const parsed = pageRequest.safeParse(raw);
    if (!parsed.success) throw error('BAD_REQUEST', 'malformed request', parsed.error.issues[0]?.message ?? '');
    const svc = await services;
    const result = await svc.webln.handle(ctx, parsed.data.method, parsed.data.params);
    return { ok: true, result };
  } catch (e) {
    const reply = toPageError(e);
    // Faults the page is told nothing about stay readable in the worker's console.
    if (reply.name === 'InternalError' || reply.name === 'ConnectionError') console.warn('satnav page request failed', e);
    return { ok: false, error: reply };
  }
}
