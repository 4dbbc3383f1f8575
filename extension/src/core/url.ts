/** WHATWG-parses `url`; the parsed URL when it is http(s), else null (unparsable, or another scheme). */
export function parseHttpUrl(url: string): URL | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  return u.protocol === 'http:' || u.protocol === 'https:' ? u : null;
}
