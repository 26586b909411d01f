import browser from 'webextension-polyfill';
import type { Envelope, ErrorInfo } from '../../src/messages/envelope.ts';
import type { UiRequest, UiRequestOf, UiRequestType, UiResponses } from '../../src/messages/ui-api.ts';
import { UI_CHANNEL } from '../../src/messages/ui-channel.ts';

/** A failed worker call, carrying the stable code the screens translate. */
export class UiCallError extends Error {
  override readonly name = 'UiCallError';
  readonly code: string;
  readonly details?: ErrorInfo['details'];
  constructor(info: ErrorInfo) {
    super(info.message);
    this.code = info.code;
    this.details = info.details;
  }
}

/** The one way Satnav's own pages talk to the worker. */
export async function call<T extends UiRequestType>(request: UiRequestOf<T> & UiRequest): Promise<UiResponses[T]> {
  const reply = (await browser.runtime.sendMessage({ channel: UI_CHANNEL, request })) as Envelope<UiResponses[T]> | undefined;
  if (!reply) throw new UiCallError({ code: 'NO_REPLY', message: 'worker: no reply' });
  if (!reply.ok) throw new UiCallError(reply.error);
  return reply.result;
}
