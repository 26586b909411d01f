/**
 * LUD-06 payRequest `metadata`: a JSON array, sent as a string, of `[type, value, …]` arrays.
 *
 * | type                                  | how many            | value                         |
 * | ------------------------------------- | ------------------- | ----------------------------- |
 * | text/plain                            | exactly one         | string: the short description |
 * | text/long-desc                        | optional            | string, may have newlines     |
 * | image/png;base64 or image/jpeg;base64 | one of them or none | base64, ≤ 136536 characters   |
 * | text/identifier, text/email (LUD-16)  | optional            | the user@domain it pays       |
 * | anything else                         | any                 | ignored (future entries)      |
 *
 * Values may be any JSON (the LUD says not to assume strings): an optional entry whose value is
 * not a string is skipped, a text/plain one is refused.
 */
import { moduleErrors } from '../errors.ts';

const err = moduleErrors('lnurl');
const bad = (problem: string, value?: unknown) => err('LNURL_BAD_RESPONSE', `metadata: ${problem}`, value);

export interface PayMetadata {
  /** text/plain: what the person is paying for. */
  description: string;
  longDescription?: string;
  /** `data:` URL of the thumbnail, ready for an <img>. */
  image?: string;
  /** text/identifier or text/email (LUD-16). */
  identifier?: string;
  email?: string;
}

const MAX_IMAGE_CHARS = 136_536;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const IMAGE_TYPES = ['image/png;base64', 'image/jpeg;base64'];

export function parsePayMetadata(raw: string): PayMetadata {
  let entries: unknown;
  try {
    entries = JSON.parse(raw);
  } catch {
    throw bad('not JSON', raw);
  }
  if (!Array.isArray(entries)) throw bad('not a JSON array', raw);
  const byType = new Map<string, unknown[]>();
  for (const entry of entries) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') throw bad('entries must be arrays starting with a type', entry);
    const values = byType.get(entry[0]) ?? [];
    byType.set(entry[0], [...values, entry[1]]);
  }
  const plain = byType.get('text/plain') ?? [];
  if (plain.length !== 1) throw bad('needs exactly one text/plain entry, found', plain.length);
  const [description] = plain;
  if (typeof description !== 'string') throw bad('text/plain value must be text', description);
  const images = IMAGE_TYPES.flatMap((type) => (byType.get(type) ?? []).map((value) => [type, value] as const));
  if (images.length > 1) throw bad('more than one image', images.length);
  const text = (type: string) => {
    const value = byType.get(type)?.[0];
    return typeof value === 'string' ? value : undefined;
  };
  const longDescription = text('text/long-desc');
  const identifier = text('text/identifier');
  const email = text('text/email');
  const image = images[0] && imageUrl(...images[0]);
  return {
    description,
    ...(longDescription !== undefined && { longDescription }),
    ...(image !== undefined && { image }),
    ...(identifier !== undefined && { identifier }),
    ...(email !== undefined && { email }),
  };
}

function imageUrl(type: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.length > MAX_IMAGE_CHARS) throw bad('image longer than 136536 characters', value.length);
  if (!BASE64.test(value)) throw bad('image is not base64');
  return `data:${type},${value}`;
}
