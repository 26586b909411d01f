import type { Runtime } from 'webextension-polyfill';
import { isSatnavError, moduleErrors } from '../../src/errors.ts';
import { weblnErrorName } from '../../src/webln/error-names.ts';
import type { PortReply } from '../../src/webln/page-channel.ts';
import { pageRequest } from '../../src/webln/params.ts';
import { pageOrigin } from './sender.ts';
import type { Services } from './services.ts';

const error = moduleErrors('webln');

type Reply = Omit<PortReply, 'id'> & { error?: PortReply['error'] & { name: string } };

/**
 * Requests from web pages (through the bridge). The origin is the one the
 * browser reports for the sending frame; nothing in the message can change it.
 */
export async function routePageMessage(raw: unknown, sender: Runtime.MessageSender, services: Promise<Services>): Promise<Reply> {
  try {
    const origin = pageOrigin(sender);
    if (!origin) throw error('FORBIDDEN', 'not a web page sender', sender.url ?? '(none)');
    const parsed = pageRequest.safeParse(raw);
    if (!parsed.success) throw error('BAD_REQUEST', 'malformed request', parsed.error.issues[0]?.message ?? '');
    const svc = await services;
    const result = await svc.webln.handle(origin, parsed.data.method, parsed.data.params);
    return { ok: true, result };
  } catch (e) {
    return { ok: false, error: pageError(e) };
  }
}

/**
 * What a page learns from a failure: always the code and the WebLN class. The
 * message too when it is about the page's own request; the node's words (its
 * errors, excerpts of its answers) and internal faults stay in the worker.
 */
function pageError(e: unknown): NonNullable<Reply['error']> {
  if (!isSatnavError(e)) {
    console.error('satnav page request failed', e);
    return { code: 'INTERNAL', message: 'satnav: internal error', name: 'InternalError' };
  }
  const name = weblnErrorName(e.code);
  if (name !== 'InternalError' && !e.code.startsWith('NODE_')) return { code: e.code, message: e.message, name };
  console.warn('satnav page request failed', e);
  return { code: e.code, message: `satnav: request failed=${e.code}`, name };
}
