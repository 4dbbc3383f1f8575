/**
 * @phishnet/lists — the pure core of phishnet's threat-intel and reputation lists (no I/O anywhere in this package).
 *
 * Model (Safe Browsing's, https://developers.google.com/safe-browsing/reference/URLs.and.Hashing):
 *   - a URL is looked up by its *lookup expressions*: host suffixes × path prefixes of its canonical form (at most
 *     5 × 6 = 30), e.g. `a.b.example.com/1/2.html?x=1` → `a.b.example.com/1/2.html?x=1`, `…/1/2.html`, `…/`, `…/1/`,
 *     and the same for `b.example.com`, `example.com`;
 *   - a list holds SHA-256 *full hashes* of expressions; clients and snapshots index them by their 4-byte *prefix*
 *     (the first 4 bytes, read big-endian as an unsigned 32-bit integer);
 *   - two list kinds: `deny` (known phishing) and `allow` (known legitimate). Decision order: deny → allow → model.
 *   - an allow entry is a host or a registered domain (expression `<host>/`), never a public suffix, ICANN or private:
 *     `user.github.io` is one user's site, `github.io` is a platform and is refused; so are hosting platforms the
 *     Public Suffix List misses (`weebly.com`, `docs.google.com`), and an allow entry above such a platform
 *     (`google.com/`) does not decide URLs on it ({@link allowableExpressionCount}).
 *
 * Components: the operator parses feeds ({@link parseFeed}) and writes versions to Redis ({@link RedisLayout},
 * {@link encodeHashes}); the gateway loads them into a {@link ListSnapshot} and calls {@link ListSnapshot.decide} for
 * every canonical URL; the extension's privacy mode computes {@link lookupExpressions} and {@link fullHash} itself.
 */
export * from './expressions.ts';
export * from './hashes.ts';
export * from './snapshot.ts';
export * from './formats.ts';
export * from './layout.ts';
export * from './tenants.ts';
