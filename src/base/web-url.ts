import { moduleErrors } from '../errors.ts';

const error = moduleErrors('url');

/** An http(s) URL from the browser or a site (a 402's, a session's), or BAD_REQUEST naming what was wrong. */
export function parseWebUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw error('BAD_REQUEST', 'not a URL', raw);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw error('BAD_REQUEST', 'not a web URL', raw);
  return url;
}
