import { describe, expect, it, vi } from 'vitest';
import { canonicalize, UrlError } from '@phishnet/api';
import {
  FEATURE_COUNT, NAMED_FEATURE_COUNT, NAMED_FEATURE_NAMES, TOKEN_BUCKETS, extractFeatures, featureVector, findBrand, fnv1a,
  lookalikeBrand, registeredDomain, stripWww, tokenBuckets, type FeatureValues,
} from './url-lexical-v1.ts';
import { REASON_CODES } from '@phishnet/api';
import { reasonsFor } from './reasons.ts';

// Hand-checked vectors: each row lists the features (and reason codes) worth checking for that URL; the values were
// counted by hand from the canonical form (leading "www." removed for host features, slashes trimmed for the path).
const VECTORS: { url: string; canonical?: string; expect: Partial<FeatureValues>; reasons?: string[]; registered?: string }[] = [
  { url: 'http://example.com', canonical: 'http://example.com/', registered: 'example.com',
    expect: { host_length: 11, host_label_count: 2, subdomain_label_count: 0, domain_label_length: 7, path_length: 0, path_depth: 0, query_length: 0, tld_length: 3, tld_is_legacy_generic: 1 }, reasons: [] },
  { url: 'https://www.example.com/', canonical: 'https://www.example.com/',
    expect: { host_length: 11, host_label_count: 2, subdomain_label_count: 0, path_length: 0 }, reasons: [] },
  { url: 'example.com.', canonical: 'http://example.com/', expect: { host_length: 11, tld_length: 3 } },
  { url: 'http://www.example.com.../a', canonical: 'http://www.example.com/a', expect: { host_length: 11, path_length: 1, path_depth: 1 } },
  { url: 'http://3279880203/blah', canonical: 'http://195.127.0.11/blah', registered: '195.127.0.11',
    expect: { host_is_ip: 1, host_length: 12, host_label_count: 1, domain_label_length: 0, tld_length: 0, path_length: 4 }, reasons: ['IP_HOST'] },
  { url: 'http://0xC37F000B/', canonical: 'http://195.127.0.11/', expect: { host_is_ip: 1 }, reasons: ['IP_HOST'] },
  { url: 'http://0303.0177.0.013/login', canonical: 'http://195.127.0.11/login', expect: { host_is_ip: 1, path_sensitive_words: 1 }, reasons: ['IP_HOST'] },
  { url: 'http://0xc3.127.11/', canonical: 'http://195.127.0.11/', expect: { host_is_ip: 1 } },
  { url: 'http://192.168.1.1:8080/admin', canonical: 'http://192.168.1.1:8080/admin', expect: { host_is_ip: 1, has_port: 1, path_sensitive_words: 1 }, reasons: ['IP_HOST', 'NON_STANDARD_PORT'] },
  { url: 'http://[2001:DB8::1]/', canonical: 'http://[2001:db8::1]/', expect: { host_is_ip: 1, host_length: 13 }, reasons: ['IP_HOST'] },
  { url: 'http://[2001:db8::1]:8443/x', expect: { host_is_ip: 1, has_port: 1, path_length: 1 }, reasons: ['IP_HOST', 'NON_STANDARD_PORT'] },
  { url: 'http://example.com:80/', canonical: 'http://example.com/', expect: { has_port: 0 } },
  { url: 'https://example.com:443/', canonical: 'https://example.com/', expect: { has_port: 0 } },
  { url: 'https://example.com:8443/', canonical: 'https://example.com:8443/', expect: { has_port: 1 }, reasons: ['NON_STANDARD_PORT'] },
  { url: 'http://paypal.com@198.51.100.7/', expect: { has_userinfo: 1, host_is_ip: 1 }, reasons: ['IP_HOST', 'USERINFO'] },
  { url: 'http://user:pass@example.com/', expect: { has_userinfo: 1, host_length: 11 }, reasons: ['USERINFO'] },
  { url: 'http://bücher.de/', canonical: 'http://xn--bcher-kva.de/', expect: { host_is_punycode: 1, host_mixed_script: 0, tld_is_country_code: 1, tld_length: 2 }, reasons: ['PUNYCODE'] },
  // "pаypal" with a Cyrillic "а" (U+0430): mixed Latin/Cyrillic label
  { url: 'http://p\u0430ypal.com/', expect: { host_is_punycode: 1, host_mixed_script: 1, brand_owned_domain: 0 }, reasons: ['MIXED_SCRIPT', 'PUNYCODE'] },
  { url: 'http://xn--80ak6aa92e.com/', expect: { host_is_punycode: 1, host_mixed_script: 0 }, reasons: ['PUNYCODE'] },
  { url: 'http://paypal.com.secure-login.example.tk/webscr?cmd=login', registered: 'example.tk',
    expect: { subdomain_label_count: 3, brand_in_subdomain: 1, brand_in_domain: 0, tld_is_abused: 1, tld_is_country_code: 1, host_hyphen_count: 1, host_sensitive_words: 2, path_sensitive_words: 1, query_sensitive_words: 2, query_param_count: 1 },
    reasons: ['BRAND_IN_SUBDOMAIN', 'SENSITIVE_WORDS', 'SUSPICIOUS_TLD'] },
  { url: 'https://www.paypal.com/signin', expect: { brand_owned_domain: 1, brand_in_subdomain: 0, brand_in_domain: 0, path_sensitive_words: 1 }, reasons: [] },
  { url: 'http://paypal-verify.com/', expect: { brand_in_domain: 1, brand_owned_domain: 0, host_sensitive_words: 1 }, reasons: ['BRAND_IN_DOMAIN'] },
  { url: 'http://paypa1.com/', expect: { brand_lookalike: 1, brand_in_domain: 0 }, reasons: ['BRAND_LOOKALIKE'] },
  { url: 'http://amazom.co.uk/', registered: 'amazom.co.uk', expect: { brand_lookalike: 1, domain_label_length: 6, tld_is_country_code: 1 }, reasons: ['BRAND_LOOKALIKE'] },
  { url: 'http://bit.ly/3xYz', expect: { is_shortener: 1, path_length: 4, tld_is_abused: 1 }, reasons: ['SHORTENER', 'SUSPICIOUS_TLD'] },
  { url: 'https://evil-site.github.io/login/', expect: { hosted_on_platform: 1, path_sensitive_words: 1, path_depth: 1 }, reasons: ['FREE_HOSTING'] },
  { url: 'http://abc.000webhostapp.com/', expect: { hosted_on_platform: 1, subdomain_label_count: 1 }, reasons: ['FREE_HOSTING'] },
  { url: 'http://example.com/a/b/c/d/e/f/g/h', expect: { path_depth: 8, path_length: 15, path_max_segment_length: 1 }, reasons: ['DEEP_PATH'] },
  { url: 'http://example.com/www.chase.com/online/index.php', expect: { path_embedded_domain: 1, path_ext_script: 1, path_brand_count: 1, path_depth: 3 }, reasons: ['BRAND_IN_PATH', 'EMBEDDED_DOMAIN_IN_PATH'] },
  { url: 'http://example.com/setup.exe', expect: { path_ext_executable: 1, path_dot_count: 1 }, reasons: ['EXECUTABLE_DOWNLOAD'] },
  { url: 'http://example.com/index.html', expect: { path_ext_page: 1, path_ext_script: 0 } },
  { url: 'http://example.com/r?u=https%3A%2F%2Fevil.test%2F&e=jo%40mail.com', canonical: 'http://example.com/r?u=https://evil.test/&e=jo@mail.com',
    expect: { query_has_url: 1, query_has_email: 1, query_param_count: 2 }, reasons: ['REDIRECT_IN_QUERY', 'EMAIL_IN_QUERY'] },
  { url: 'http://example.com/aGVsbG8gd29ybGQgMTIzNDU2Nzg5MA', expect: { path_base64_like: 1 }, reasons: ['ENCODED_PAYLOAD'] },
  { url: 'http://example.com/d41d8cd98f00b204e9800998ecf8427e', expect: { path_hex_run: 32 }, reasons: ['ENCODED_PAYLOAD'] },
  { url: 'http://example.com/~alice/', expect: { path_has_tilde: 1, path_length: 6 } },
  { url: 'http://a.b.c.d.example.com/', expect: { subdomain_label_count: 4, host_label_count: 6 }, reasons: ['MANY_SUBDOMAINS'] },
  { url: 'http://xkcdqwrtzpl.com/', expect: { host_consonant_run: 11 }, reasons: ['RANDOM_LOOKING_HOST'] },
  { url: `http://${'a'.repeat(30)}.${'b'.repeat(20)}.com/`, expect: { host_length: 55, host_max_label_length: 30, host_consonant_run: 20 }, reasons: ['LONG_HOST', 'RANDOM_LOOKING_HOST'] },
  { url: `http://example.com/${'x'.repeat(5000)}`, expect: { path_length: 5000, path_max_segment_length: 5000, path_entropy: 0 } },
  { url: 'http://example.com/A1b2', expect: { path_digit_ratio: 0.5, path_upper_ratio: 0.25 } },
  { url: 'http://example.com/%01%02%03%04%05%06%07%08%09%0B', expect: { path_percent_escapes: 10 }, reasons: ['EXCESSIVE_ESCAPING'] },
];

describe('url-lexical/v1 features: hand-checked vectors', () => {
  it.each(VECTORS)('$url', ({ url, canonical, expect: want, reasons, registered }) => {
    const c = canonicalize(url);
    if (canonical !== undefined) expect(c.href).toBe(canonical);
    const f = extractFeatures(c);
    for (const [k, v] of Object.entries(want)) expect(f[k as keyof FeatureValues], k).toBeCloseTo(v as number, 6);
    if (reasons !== undefined) expect(reasonsFor(f)).toEqual(reasons);
    if (registered !== undefined) expect(registeredDomain(c)).toBe(registered);
  });

  it('has at least 30 vectors', () => expect(VECTORS.length).toBeGreaterThanOrEqual(30));
});

describe('url-lexical/v1 vector', () => {
  it('is fixed-length, finite, named features first, then token counts', () => {
    for (const { url } of VECTORS) {
      const c = canonicalize(url);
      const { values, vector } = featureVector(c);
      expect(vector.length).toBe(FEATURE_COUNT);
      expect(FEATURE_COUNT).toBe(NAMED_FEATURE_COUNT + TOKEN_BUCKETS);
      expect(Object.keys(values)).toEqual(NAMED_FEATURE_NAMES); // in vector order: featureVector relies on it
      NAMED_FEATURE_NAMES.forEach((n, i) => expect(vector[i]).toBe(Math.fround(values[n])));
      const tokenSum = vector.subarray(NAMED_FEATURE_COUNT).reduce((a, b) => a + b, 0);
      expect(tokenSum).toBe(tokenBuckets(c).length);
      expect(vector.every(Number.isFinite)).toBe(true);
    }
  });

  it('reuses an output buffer without leaking the previous URL', () => {
    const buf = new Float32Array(FEATURE_COUNT);
    featureVector(canonicalize('http://a-b-c.example.com/x/y/z?login=1'), buf);
    const again = Array.from(featureVector(canonicalize('http://example.com/'), buf).vector);
    expect(again).toEqual(Array.from(featureVector(canonicalize('http://example.com/')).vector));
  });

  it('tokenizes host labels and path words as documented', () => {
    const b = (t: string) => fnv1a(t) % TOKEN_BUCKETS;
    expect(tokenBuckets(canonicalize('http://www.secure-bank.example.com/Account/Login.php?id=12345&x=y')).sort()).toEqual(
      [b('h:secure'), b('h:bank'), b('h:example'), b('h:com'), b('p:account'), b('p:login'), b('p:php'), b('p:id'), b('p:#5')].sort(),
    );
    expect(tokenBuckets(canonicalize('http://10.0.0.1/'))).toEqual([]);
    expect(tokenBuckets(canonicalize(`http://x.test/${'a'.repeat(30)}`))).toContain(b('p:#long'));
    expect(fnv1a('')).toBe(0x811c9dc5); // FNV-1a offset basis
    expect(fnv1a('a')).toBe(0xe40c292c); // published FNV-1a 32 test vector
  });

  // The definition of TOKEN_BUCKETS written out with strings and regexes (tokenBuckets hashes without building them).
  const reference = (url: string): number[] => {
    const c = canonicalize(url);
    const out: number[] = [];
    if (c.hostKind === 'domain') {
      for (const t of stripWww(c.host, c.hostKind).split(/[.-]/)) if (t !== '') out.push(fnv1a(`h:${t}`) % TOKEN_BUCKETS);
    }
    for (const w of (c.query === null ? c.path : `${c.path}?${c.query}`).toLowerCase().split(/[^a-z0-9]+/)) {
      if (w.length < 2) continue;
      out.push(fnv1a(/^[0-9]+$/.test(w) ? `p:#${Math.min(w.length, 10)}` : w.length > 24 ? 'p:#long' : `p:${w}`) % TOKEN_BUCKETS);
    }
    return out;
  };

  it('tokenizes exactly as the definition: hash of "h:<label>" / "p:<word>" strings, in URL order', () => {
    const urls = [
      ...VECTORS.map((v) => v.url), 'http://www2.A-b--c.example.CO.uk./Ab12/x_Y-z/1/22/0123456789/01234567890?Q=A1&&b=2?c',
      `http://x.test/${'a1'.repeat(12)}/${'a1'.repeat(13)}/${'9'.repeat(30)}/%41%2F?${'z'.repeat(25)}`, 'http://x.test/?', 'http://www.com/',
    ];
    for (const url of urls) expect(tokenBuckets(canonicalize(url)), url).toEqual(reference(url));
  });

  it('keeps every token when a long URL grows the token buffer (fresh module, first call)', async () => {
    vi.resetModules(); // a new module instance starts with its smallest buffer
    const fresh = await import('./url-lexical-v1.ts');
    const url = `http://x.test/${'ab/'.repeat(400)}?q=${'cd&'.repeat(100)}`;
    expect(fresh.tokenBuckets(canonicalize(url))).toEqual(reference(url));
  });

  it('every reason code is documented once', () => {
    expect(new Set(REASON_CODES).size).toBe(REASON_CODES.length);
  });

  // Dataset shortcuts (shared/data/README.md): scheme, a leading "www." and the "/" after the host must not change
  // the features at all, so they cannot move a model's score.
  it.each([
    ['https://www.login-secure.example.com/a?b=1', 'http://login-secure.example.com/a?b=1'],
    ['https://www.example.com', 'example.com/'],
    ['http://www2.bank.test', 'https://bank.test/'],
  ])('%s and %s have identical vectors', (a, b) => {
    expect(Array.from(featureVector(canonicalize(a)).vector)).toEqual(Array.from(featureVector(canonicalize(b)).vector));
  });
});

describe('inputs the feature set refuses (via canonicalization)', () => {
  it.each([
    ['javascript:alert(1)', 'UNSUPPORTED_SCHEME'],
    ['data:text/html,<script>x</script>', 'UNSUPPORTED_SCHEME'],
    ['ftp://example.com/file', 'UNSUPPORTED_SCHEME'],
    ['', 'EMPTY'],
    ['http://', 'INVALID_HOST'],
  ])('%s → %s', (url, code) => {
    try {
      canonicalize(url);
      expect.unreachable(`${url} was accepted`);
    } catch (e) {
      expect(e).toBeInstanceOf(UrlError);
      expect((e as UrlError).code).toBe(code);
      expect((e as UrlError).message.length).toBeGreaterThan(10);
    }
  });
});

describe('brand tokens', () => {
  it.each([
    ['secure-paypal-amazon', 'paypal'], ['amazon-paypal', 'paypal'], ['office365-login', 'office365'], ['my-dhl.track', 'dhl'],
    ['dhlexpress', null], ['attack', null], ['att', 'att'], ['apple-att', 'apple'], ['x', null], ['', null],
  ])('findBrand(%s) → %s (first in BRAND_TOKENS order)', (text, brand) => {
    expect(findBrand(text)).toBe(brand);
  });
});

describe('brand look-alikes', () => {
  it.each([
    ['paypa1', 'paypal'], ['paypall', 'paypal'], ['pyapal', 'paypal'], ['arnazon', 'amazon'], ['micros0ft', 'microsoft'],
    ['netflx', 'netflix'], ['app1e', 'apple'], ['paypal', null], ['pineapple', null], ['examples', null], ['coinbasee', 'coinbase'],
  ])('%s → %s', (label, brand) => {
    expect(lookalikeBrand(label)).toBe(brand);
  });
});
