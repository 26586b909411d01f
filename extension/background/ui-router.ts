import type { Runtime } from 'webextension-polyfill';
import { moduleErrors } from '../../src/errors.ts';
import { errorEnvelope, okEnvelope, type Envelope } from '../../src/messages/envelope.ts';
import { UI_REQUEST_PASSIVE, uiRequest, type UiRequest } from '../../src/messages/ui-api.ts';
import { scheduleAutoLock } from './autolock.ts';
import { isExtensionPage } from './sender.ts';
import type { Services } from './services.ts';
import type { UiHandlers } from './ui-handlers.ts';

const err = moduleErrors('router');

/**
 * Staged checks for requests from Satnav's own pages: trusted sender →
 * valid request → idle lock applied → handler. Deny by default.
 */
export async function routeUiMessage(
  raw: unknown,
  sender: Runtime.MessageSender,
  services: Promise<Services>,
  handlers: UiHandlers,
): Promise<Envelope<unknown>> {
  try {
    if (!isExtensionPage(sender)) throw err('FORBIDDEN', 'sender is not a Satnav page', sender.url ?? '(none)');
    const parsed = uiRequest.safeParse(raw);
    if (!parsed.success) throw err('BAD_REQUEST', 'invalid request', parsed.error.issues[0]?.message ?? 'unknown');
    const svc = await services;
    // The alarm may not have fired yet (timers are coarse): enforce idle time here too.
    await svc.vault.lockIfIdle();
    const result = await dispatch(parsed.data, svc, handlers);
    if (!UI_REQUEST_PASSIVE[parsed.data.type] && (await svc.vault.status()).unlocked) {
      await svc.vault.touch();
      await scheduleAutoLock(svc.vault);
    }
    return okEnvelope(result);
  } catch (e) {
    return errorEnvelope(e);
  }
}

function dispatch(req: UiRequest, svc: Services, handlers: UiHandlers): Promise<unknown> {
  // The union is closed, so the lookup is total; the cast only joins the per-key types.
  const handler = handlers[req.type] as (r: UiRequest, s: Services) => Promise<unknown>;
  return handler(req, svc);
}
