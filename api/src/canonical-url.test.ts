import { existsSync, readFileSync } from 'node:fs';
import { domainToASCII } from 'node:url';
import { describe, expect, it } from 'vitest';
import { canonicalize, MAX_HOST_LENGTH, MAX_LABEL_LENGTH, MAX_URL_LENGTH, UrlError, type CanonicalUrl, type UrlErrorCode } from './canonical-url.ts';

/**
 * Every test vector published with Google Safe Browsing's canonicalization
 * (https://developers.google.com/safe-browsing/v4/urls-hashing#canonicalization), in page order.
 * `sb` is the published result. Rows with `deviation` are where phishnet deliberately differs
 * (see the module comment of canonical-url.ts); all other rows must match `sb` exactly.
 */
interface SbVector {
  readonly input: string;
  readonly sb: string;
  readonly deviation?: { readonly why: string } & ({ readonly href: string } | { readonly error: UrlErrorCode });
}

const HOST_CHARS = 'host has a control, space or forbidden host character after unescaping: rejected, not escaped';

const SAFE_BROWSING_VECTORS: readonly SbVector[] = [
  { input: 'http://host/%25%32%35', sb: 'http://host/%25' },
  { input: 'http://host/%25%32%35%25%32%35', sb: 'http://host/%25%25' },
  { input: 'http://host/%2525252525252525', sb: 'http://host/%25' },
  { input: 'http://host/asdf%25%32%35asd', sb: 'http://host/asdf%25asd' },
  { input: 'http://host/%%%25%32%35asd%%', sb: 'http://host/%25%25%25asd%25%25' },
  { input: 'http://www.google.com/', sb: 'http://www.google.com/' },
  {
    input: 'http://%31%36%38%2e%31%38%38%2e%39%39%2e%32%36/%2E%73%65%63%75%72%65/%77%77%77%2E%65%62%61%79%2E%63%6F%6D/',
    sb: 'http://168.188.99.26/.secure/www.ebay.com/',
  },
  {
    input: 'http://195.127.0.11/uploads/%20%20%20%20/.verify/.eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/',
    sb: 'http://195.127.0.11/uploads/%20%20%20%20/.verify/.eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/',
  },
  {
    input: 'http://host%23.com/%257Ea%2521b%2540c%2523d%2524e%25f%255E00%252611%252A22%252833%252944_55%252B',
    sb: 'http://host%23.com/~a!b@c%23d$e%25f^00&11*22(33)44_55+',
    deviation: { why: HOST_CHARS + ' ("#"); the path part is checked on host.com below', error: 'INVALID_HOST' },
  },
  { input: 'http://3279880203/blah', sb: 'http://195.127.0.11/blah' },
  { input: 'http://www.google.com/blah/..', sb: 'http://www.google.com/' },
  { input: 'www.google.com/', sb: 'http://www.google.com/' },
  { input: 'www.google.com', sb: 'http://www.google.com/' },
  { input: 'http://www.evil.com/blah#frag', sb: 'http://www.evil.com/blah' },
  { input: 'http://www.GOOgle.com/', sb: 'http://www.google.com/' },
  { input: 'http://www.google.com.../', sb: 'http://www.google.com/' },
  { input: 'http://www.google.com/foo\tbar\rbaz\n2', sb: 'http://www.google.com/foobarbaz2' },
  { input: 'http://www.google.com/q?', sb: 'http://www.google.com/q?' },
  { input: 'http://www.google.com/q?r?', sb: 'http://www.google.com/q?r?' },
  { input: 'http://www.google.com/q?r?s', sb: 'http://www.google.com/q?r?s' },
  { input: 'http://evil.com/foo#bar#baz', sb: 'http://evil.com/foo' },
  { input: 'http://evil.com/foo;', sb: 'http://evil.com/foo;' },
  { input: 'http://evil.com/foo?bar;', sb: 'http://evil.com/foo?bar;' },
  {
    input: 'http://\x01\x80.com/',
    sb: 'http://%01%80.com/',
    deviation: { why: HOST_CHARS + ' (U+0001, U+0080)', error: 'INVALID_HOST' },
  },
  { input: 'http://notrailingslash.com', sb: 'http://notrailingslash.com/' },
  {
    input: 'http://www.gotaport.com:1234/',
    sb: 'http://www.gotaport.com/',
    deviation: { why: 'non-default ports are kept: an unusual port is a phishing signal', href: 'http://www.gotaport.com:1234/' },
  },
  { input: '  http://www.google.com/  ', sb: 'http://www.google.com/' },
  {
    input: 'http:// leadingspace.com/',
    sb: 'http://%20leadingspace.com/',
    deviation: { why: HOST_CHARS + ' (space)', error: 'INVALID_HOST' },
  },
  {
    input: 'http://%20leadingspace.com/',
    sb: 'http://%20leadingspace.com/',
    deviation: { why: HOST_CHARS + ' (space)', error: 'INVALID_HOST' },
  },
  {
    input: '%20leadingspace.com/',
    sb: 'http://%20leadingspace.com/',
    deviation: { why: HOST_CHARS + ' (space)', error: 'INVALID_HOST' },
  },
  { input: 'https://www.securesite.com/', sb: 'https://www.securesite.com/' },
  { input: 'http://host.com/ab%23cd', sb: 'http://host.com/ab%23cd' },
  { input: 'http://host.com//twoslashes?more//slashes', sb: 'http://host.com/twoslashes?more//slashes' },
];

type Case =
  | { readonly input: string; readonly href: string; readonly parts?: Partial<CanonicalUrl> }
  | { readonly input: string; readonly error: UrlErrorCode; readonly message?: RegExp };

const EXTRA_CASES: readonly Case[] = [
  // the path half of the "host%23.com" vector, on a valid host: matches Safe Browsing exactly
  {
    input: 'http://host.com/%257Ea%2521b%2540c%2523d%2524e%25f%255E00%252611%252A22%252833%252944_55%252B',
    href: 'http://host.com/~a!b@c%23d$e%25f^00&11*22(33)44_55+',
  },
  // scheme
  { input: 'HTTP://X', href: 'http://x/', parts: { scheme: 'http', host: 'x', path: '/', query: null } },
  { input: 'HtTpS://Example.COM/Path/File.HTML', href: 'https://example.com/Path/File.HTML', parts: { scheme: 'https' } },
  { input: 'http:example.com', href: 'http://example.com/' },
  { input: 'https:/example.com/a', href: 'https://example.com/a' },
  { input: 'http:\\\\example.com\\a\\b', href: 'http://example.com/a/b' },
  { input: 'http:///example.com/', href: 'http://example.com/' },
  { input: '//example.com/x', href: 'http://example.com/x' },
  { input: 'host:8080/x', href: 'http://host:8080/x', parts: { host: 'host', port: 8080, path: '/x' } },
  { input: 'localhost:3000', href: 'http://localhost:3000/', parts: { port: 3000 } },
  { input: 'example.com:8443?x=1', href: 'http://example.com:8443/?x=1', parts: { query: 'x=1' } },
  { input: '\x00 http://x.com/ \x1f', href: 'http://x.com/' },
  // userinfo (kept: deviation from Safe Browsing)
  {
    input: 'http://paypal.com@evil.test/',
    href: 'http://paypal.com@evil.test/',
    parts: { userinfo: 'paypal.com', host: 'evil.test', hostKind: 'domain' },
  },
  { input: 'http://user:pa%73s@example.com/', href: 'http://user:pass@example.com/', parts: { userinfo: 'user:pass' } },
  { input: 'http://a@b@evil.test/', href: 'http://a%40b@evil.test/', parts: { userinfo: 'a%40b', host: 'evil.test' } },
  { input: 'http://a%2fb%3Fc@evil.test/', href: 'http://a%2Fb%3Fc@evil.test/', parts: { userinfo: 'a%2Fb%3Fc' } },
  { input: 'http://@example.com/', href: 'http://example.com/', parts: { userinfo: null } },
  { input: 'paypal.com:secure@evil.test/login', href: 'http://paypal.com:secure@evil.test/login', parts: { userinfo: 'paypal.com:secure' } },
  { input: 'http://www.paypal.com:443@203.0.113.9/', href: 'http://www.paypal.com:443@203.0.113.9/', parts: { hostKind: 'ipv4', port: null } },
  // host: dots, case, IDN
  { input: 'http://example.com./', href: 'http://example.com/', parts: { host: 'example.com' } },
  { input: 'http://..Example..COM../a', href: 'http://example.com/a' },
  { input: 'http://bücher.de/', href: 'http://xn--bcher-kva.de/', parts: { host: 'xn--bcher-kva.de', hostKind: 'domain' } },
  { input: 'http://BÜCHER.de/', href: 'http://xn--bcher-kva.de/' },
  { input: 'http://b%C3%BCcher.de/', href: 'http://xn--bcher-kva.de/' },
  { input: 'http://xn--bcher-kva.de/', href: 'http://xn--bcher-kva.de/' },
  { input: 'http://www.ümlat.com/', href: 'http://www.xn--mlat-zra.com/' },
  { input: 'http://аррӏе.com/', href: 'http://xn--80ak6aa92e.com/' },
  { input: 'http://example。com/', href: 'http://example.com/' },
  { input: 'http://a_b-c.example.com/', href: 'http://a_b-c.example.com/' },
  // host: IPv4 in any notation (WHATWG IPv4 parser)
  { input: 'http://0xC37F000B/', href: 'http://195.127.0.11/', parts: { host: '195.127.0.11', hostKind: 'ipv4' } },
  { input: 'http://0303.0177.0.013/', href: 'http://195.127.0.11/', parts: { hostKind: 'ipv4' } },
  { input: 'http://195.8323083/', href: 'http://195.127.0.11/' },
  { input: 'http://195.127.11/', href: 'http://195.127.0.11/' },
  { input: 'http://0xc3.0177.0.11/', href: 'http://195.127.0.11/' },
  { input: 'http://0Xc3.127.0x0.013/', href: 'http://195.127.0.11/' },
  { input: 'http://12.0x12.01234/', href: 'http://12.18.2.156/' },
  { input: 'http://4294967295/', href: 'http://255.255.255.255/' },
  { input: 'http://0/', href: 'http://0.0.0.0/' },
  { input: 'http://1.2.3.4./x', href: 'http://1.2.3.4/x' },
  { input: 'http://１２７.０.０.１/', href: 'http://127.0.0.1/', parts: { hostKind: 'ipv4' } },
  { input: 'http://1.2.3.4:8080/', href: 'http://1.2.3.4:8080/', parts: { port: 8080, hostKind: 'ipv4' } },
  // host: IPv6
  {
    input: 'http://[2001:DB8::1]:8080/a',
    href: 'http://[2001:db8::1]:8080/a',
    parts: { host: '[2001:db8::1]', hostKind: 'ipv6', port: 8080, path: '/a' },
  },
  { input: 'http://[2001:0db8:0000::1]/', href: 'http://[2001:db8::1]/' },
  { input: 'http://[FEDC:BA98:7654:3210:FEDC:BA98:7654:3210]:80/index.html', href: 'http://[fedc:ba98:7654:3210:fedc:ba98:7654:3210]/index.html' },
  { input: 'http://[::1]/', href: 'http://[::1]/', parts: { hostKind: 'ipv6' } },
  { input: '[2001:470:1:18::114]/a/b', href: 'http://[2001:470:1:18::114]/a/b' },
  // IPv4-mapped and NAT64 IPv6 → IPv4 (current Safe Browsing reference, "URLs and Hashing")
  { input: 'http://[::ffff:1.2.3.4]/', href: 'http://1.2.3.4/', parts: { host: '1.2.3.4', hostKind: 'ipv4' } },
  { input: 'http://[64:ff9b::1.2.3.4]/', href: 'http://1.2.3.4/' },
  { input: 'http://[64:ff9b::0.0.0.1]/', href: 'http://0.0.0.1/' },
  { input: 'http://[::ffff:0.0.0.0]/', href: 'http://0.0.0.0/' },
  // port
  { input: 'http://example.com:80/', href: 'http://example.com/', parts: { port: null } },
  { input: 'https://example.com:443/', href: 'https://example.com/', parts: { port: null } },
  { input: 'https://example.com:80/', href: 'https://example.com:80/', parts: { port: 80 } },
  { input: 'http://example.com:443/', href: 'http://example.com:443/', parts: { port: 443 } },
  { input: 'http://example.com:0080/', href: 'http://example.com/' },
  { input: 'http://example.com:/', href: 'http://example.com/', parts: { port: null } },
  { input: 'http://example.com:65535/', href: 'http://example.com:65535/' },
  // path
  { input: 'http://a.com', href: 'http://a.com/', parts: { path: '/' } },
  { input: 'http://a.com/foo/.././bar/./../foo.html', href: 'http://a.com/foo.html' },
  { input: 'http://a.com//a//b///c////', href: 'http://a.com/a/b/c/' },
  { input: 'http://a.com/a/b/..', href: 'http://a.com/a/' },
  { input: 'http://a.com/a/b/.', href: 'http://a.com/a/b/' },
  { input: 'http://a.com/../../x', href: 'http://a.com/x' },
  { input: 'http://a.com/a/%2e%2E/b', href: 'http://a.com/b' },
  { input: 'http://a.com/a%2fb%2F%2Fc', href: 'http://a.com/a/b/c' },
  { input: 'http://a.com/.../x', href: 'http://a.com/.../x' },
  { input: 'http://a.com\\a\\..\\b', href: 'http://a.com/b' },
  { input: 'http://a.com/a%5Cb', href: 'http://a.com/a%5Cb', parts: { path: '/a%5Cb' } },
  { input: 'http://a.com/a%3Fb?c', href: 'http://a.com/a%3Fb?c', parts: { path: '/a%3Fb', query: 'c' } },
  { input: 'http://example.com/ü', href: 'http://example.com/%C3%BC', parts: { path: '/%C3%BC' } },
  { input: 'http://example.com/%c3%bc', href: 'http://example.com/%C3%BC' },
  { input: 'http://example.com/a%0ab%7f', href: 'http://example.com/a%0Ab%7F' },
  { input: 'http://example.com/%ZZ%4', href: 'http://example.com/%25ZZ%254' },
  { input: 'http://example.com/a b', href: 'http://example.com/a%20b' },
  { input: 'http://example.com/%E2%80%AEgpj.exe', href: 'http://example.com/%E2%80%AEgpj.exe' },
  // query: unescaped and re-escaped, never path-normalized
  { input: 'http://a.com/p?q=a%20b', href: 'http://a.com/p?q=a%20b', parts: { query: 'q=a%20b' } },
  { input: 'http://a.com/p?q=%2541', href: 'http://a.com/p?q=A' },
  { input: 'http://a.com/p?q=ü', href: 'http://a.com/p?q=%C3%BC' },
  { input: 'http://a.com/p?a%23b', href: 'http://a.com/p?a%23b' },
  { input: 'http://a.com/?a\\b/../c//d', href: 'http://a.com/?a\\b/../c//d', parts: { path: '/', query: 'a\\b/../c//d' } },
  { input: 'http://a.com?', href: 'http://a.com/?', parts: { path: '/', query: '' } },
  { input: 'http://a.com/p?x#y?z', href: 'http://a.com/p?x' },
];

const ERROR_CASES: readonly Case[] = [
  { input: '', error: 'EMPTY' },
  { input: '  ', error: 'EMPTY' },
  { input: '\t\r\n', error: 'EMPTY' },
  { input: 'javascript:alert(1)', error: 'UNSUPPORTED_SCHEME', message: /"javascript"/ },
  { input: 'JavaScript:alert(1)', error: 'UNSUPPORTED_SCHEME', message: /"javascript"/ },
  { input: ' java\tscript:alert(1)', error: 'UNSUPPORTED_SCHEME', message: /"javascript"/ },
  { input: 'javascript:1', error: 'UNSUPPORTED_SCHEME' },
  { input: 'data:text/html,x', error: 'UNSUPPORTED_SCHEME', message: /"data"/ },
  { input: 'ftp://ftp.myfiles.com/', error: 'UNSUPPORTED_SCHEME', message: /"ftp"/ },
  { input: 'file:///etc/passwd', error: 'UNSUPPORTED_SCHEME', message: /"file"/ },
  { input: 'mailto:bryner@google.com', error: 'UNSUPPORTED_SCHEME', message: /"mailto"/ },
  { input: 'vbscript:msgbox', error: 'UNSUPPORTED_SCHEME' },
  { input: 'foo:bar', error: 'UNSUPPORTED_SCHEME', message: /"foo"/ },
  { input: 'http://', error: 'INVALID_HOST' },
  { input: 'http://:80/', error: 'INVALID_HOST' },
  { input: 'http://user@/', error: 'INVALID_HOST' },
  { input: 'http://?query', error: 'INVALID_HOST' },
  { input: '#ref', error: 'INVALID_HOST' },
  { input: ':8080/foo.html', error: 'INVALID_HOST' },
  { input: 'http://a b.com/', error: 'INVALID_HOST', message: /U\+0020/ },
  { input: 'http://.../', error: 'INVALID_HOST', message: /only dots/ },
  { input: 'http://exa%mple.com/', error: 'INVALID_HOST' },
  { input: 'http://evil.com%2Fpaypal.com/', error: 'INVALID_HOST' },
  { input: 'http://paypal.com%40evil.test/', error: 'INVALID_HOST' },
  { input: 'http://www.google.com%3A8080/', error: 'INVALID_HOST' },
  { input: 'http://W!eird<>Ho$^.com/', error: 'INVALID_HOST' },
  { input: 'http://a|b.com/', error: 'INVALID_HOST' },
  { input: 'http://some%1bhost.com/', error: 'INVALID_HOST' },
  { input: 'http://%C3%28.com/', error: 'INVALID_HOST', message: /UTF-8/ },
  { input: 'http://1.2.3.4.5/', error: 'INVALID_HOST', message: /IPv4/ },
  { input: 'http://256.1.1.1/', error: 'INVALID_HOST', message: /IPv4/ },
  { input: 'http://1.2.3.256/x', error: 'INVALID_HOST' },
  { input: 'http://276.2.3/', error: 'INVALID_HOST' }, // WHATWG fails; SB's Go client truncates to 20.2.0.3
  { input: 'http://4294967296/', error: 'INVALID_HOST' },
  { input: 'http://example.123/', error: 'INVALID_HOST' },
  { input: 'http://09/', error: 'INVALID_HOST' },
  { input: 'http://[::1/', error: 'INVALID_HOST' },
  { input: 'http://[::1]x/', error: 'INVALID_HOST' },
  { input: 'http://[1:2]/', error: 'INVALID_HOST' },
  { input: 'http://[::1%25eth0]/', error: 'INVALID_HOST' },
  { input: 'http://[]/', error: 'INVALID_HOST' },
  { input: 'http://example.com:65536/', error: 'MALFORMED', message: /port/ },
  { input: 'http://example.com:99999999999999999999/', error: 'MALFORMED', message: /port/ },
  { input: 'http://example.com:abc/', error: 'MALFORMED', message: /port/ },
  { input: 'http://example.com:-1/', error: 'MALFORMED' },
  { input: 'http://example.com:80:80/', error: 'MALFORMED' },
  { input: '/blah', error: 'MALFORMED' },
  { input: '\\blah', error: 'MALFORMED' },
];

/** Plausible URLs (phishing-style and ordinary) for the idempotence check when fixtures/urls-2k.csv is absent. */
const REALISTIC_URLS: readonly string[] = [
  'https://www.google.com/search?q=phishing+detection&hl=en',
  'https://accounts.google.com/ServiceLogin?service=mail&passive=true&continue=https://mail.google.com/mail/',
  'http://secure-paypal.com.account-verify.info/webscr?cmd=_login-run',
  'http://paypal.com@198.51.100.23/signin/',
  'http://192.168.0.1:8080/admin/login.php',
  'http://3232235521/login',
  'https://login.microsoftonline.com.auth-check.xyz/common/oauth2/authorize?client_id=abc&response_type=code',
  'http://www.apple.com-id-verify.support/icloud/?lang=en#step2',
  'https://docs.google.com/forms/d/e/1FAIpQLSf-EXAMPLE/viewform?usp=sf_link',
  'http://bit.ly/3xYzAbC',
  'https://sub.domain.example.co.uk/path/to/page.html?utm_source=mail&utm_medium=email',
  'http://example.com/wp-content/plugins/akismet/.../office365/index.php',
  'http://xn--pypal-4ve.com/login',
  'http://www.xn--80ak6aa92e.com/',
  'https://github.com/nodejs/node/blob/main/lib/url.js#L100',
  'https://en.wikipedia.org/wiki/URL_normalization',
  'http://amazon.co.jp.signin-update.top/ap/signin?openid.pape.max_auth_age=0',
  'http://update-your-account.000webhostapp.com/chase/online/banking/login.htm',
  'https://firebasestorage.googleapis.com/v0/b/app-1234.appspot.com/o/index.html?alt=media&token=0f1e2d3c',
  'http://203.0.113.77/~user/bank/index.php?session=a1b2c3&redirect=%2Fhome',
  'http://mail.example.net:2096/cpsess123/webmail/',
  'https://www.dropbox.com/s/abc123/invoice.pdf?dl=0',
  'http://office365-login.web.app/?email=victim%40example.com',
  'http://login.live.com.verify-session.ga//secure//login.srf',
  'http://www.example.org/a/./b/../c/%7Euser/index.html',
  'https://t.co/AbCdEf1234',
  'http://[2001:db8:85a3::8a2e:370:7334]:8443/owa/auth/logon.aspx',
  'http://0x7f.0x0.0x0.0x1/phish',
  'HTTP://WWW.EXAMPLE.COM/UPPER/Case?Q=Value',
  'www.facebook.com.profile-security-check.com/recover/initiate',
  'netflix-billing-update.com:8080/account/payment',
  'https://www.irs.gov/refunds',
  'http://www.wellsfargo.com.online-secure.ru/das/cgi-bin/session.cgi?sessargs=abc',
  'https://storage.googleapis.com/bucket-name/index.html#access_token=xyz',
  'http://example.com/redirect?url=http%3A%2F%2Fevil.test%2Flogin%3Fa%3D1%26b%3D2',
  'https://münchen.de/stadtverwaltung/',
  'http://example.com/search?q=%E4%B8%AD%E6%96%87&lang=zh',
  'http://ebay.com.item-listing.ws/itm/123456789?hash=item1c2d3e4f5g',
  'https://user:secret@ftp-mirror.example.com:8443/pub/',
  'http://example.com/%2525252541dmin/panel',
];

function outcome(input: string): CanonicalUrl | UrlError {
  try {
    return canonicalize(input);
  } catch (error) {
    if (error instanceof UrlError) return error;
    throw error;
  }
}

function expectError(input: string, code: UrlErrorCode, message?: RegExp): UrlError {
  const result = outcome(input);
  expect(result, `expected ${code} for ${JSON.stringify(input)}`).toBeInstanceOf(UrlError);
  const error = result as UrlError;
  expect(error.code).toBe(code);
  expect(error.name).toBe('UrlError');
  if (message) expect(error.message).toMatch(message);
  return error;
}

/** Invariants of every successful result: href is assembled from the parts, ASCII only, and canonical again. */
function expectWellFormed(url: CanonicalUrl): void {
  const auth = `${url.userinfo === null ? '' : `${url.userinfo}@`}${url.host}${url.port === null ? '' : `:${url.port}`}`;
  expect(url.href).toBe(`${url.scheme}://${auth}${url.path}${url.query === null ? '' : `?${url.query}`}`);
  expect(url.href).toMatch(/^[\x21-\x7e]+$/);
  expect(url.path.startsWith('/')).toBe(true);
  expect(canonicalize(url.href)).toEqual(url);
}

describe('canonicalize: Safe Browsing published vectors', () => {
  it.each(SAFE_BROWSING_VECTORS)('$input', (v) => {
    const d = v.deviation;
    if (d === undefined) {
      const url = canonicalize(v.input);
      expect(url.href).toBe(v.sb);
      expectWellFormed(url);
    } else if ('href' in d) {
      const url = canonicalize(v.input);
      expect(url.href).not.toBe(v.sb);
      expect(url.href).toBe(d.href);
      expectWellFormed(url);
    } else {
      expectError(v.input, d.error);
    }
  });

  it('includes every published vector and marks only the documented deviations', () => {
    expect(SAFE_BROWSING_VECTORS).toHaveLength(33);
    expect(SAFE_BROWSING_VECTORS.filter((v) => v.deviation !== undefined).map((v) => v.input)).toEqual([
      'http://host%23.com/%257Ea%2521b%2540c%2523d%2524e%25f%255E00%252611%252A22%252833%252944_55%252B',
      'http://\x01\x80.com/',
      'http://www.gotaport.com:1234/',
      'http:// leadingspace.com/',
      'http://%20leadingspace.com/',
      '%20leadingspace.com/',
    ]);
  });
});

describe('canonicalize: more cases', () => {
  it.each(EXTRA_CASES)('$input', (c) => {
    if (!('href' in c)) throw new Error('EXTRA_CASES holds successes only');
    const url = canonicalize(c.input);
    expect(url.href).toBe(c.href);
    if (c.parts) expect(url).toMatchObject(c.parts);
    expectWellFormed(url);
  });
});

describe('canonicalize: errors', () => {
  it.each(ERROR_CASES)('$input → $error', (c) => {
    if (!('error' in c)) throw new Error('ERROR_CASES holds errors only');
    expectError(c.input, c.error, c.message);
  });

  it('never puts the path or query of the URL into the message', () => {
    for (const input of ['http://a b.com/secret-token?k=secret-key', 'http://x.com:99999/secret-token?k=secret-key']) {
      const error = outcome(input);
      expect(error).toBeInstanceOf(UrlError);
      expect((error as UrlError).message).not.toMatch(/secret/);
    }
  });
});

describe('canonicalize: length limit', () => {
  const prefix = 'http://a.com/';

  it('accepts input of exactly MAX_URL_LENGTH bytes and rejects one byte more', () => {
    const exact = prefix + 'a'.repeat(MAX_URL_LENGTH - prefix.length);
    expect(canonicalize(exact).path).toHaveLength(MAX_URL_LENGTH - prefix.length + 1);
    const error = expectError(exact + 'a', 'TOO_LONG');
    expect(error.message).toContain(String(MAX_URL_LENGTH + 1));
    expect(error.message).toContain(String(MAX_URL_LENGTH));
  });

  it('counts UTF-8 bytes, not UTF-16 code units', () => {
    const input = prefix + 'ü'.repeat(MAX_URL_LENGTH / 2); // fewer chars than the limit, more bytes
    expect(input.length).toBeLessThan(MAX_URL_LENGTH);
    expectError(input, 'TOO_LONG', new RegExp(`${Buffer.byteLength(input)} bytes`));
  });

  it('limits the canonical (escaped) form too: what passes once passes again', () => {
    // 4,000 × "é": 8,013 bytes in (under the limit), 24,013 once escaped as %C3%A9 (over it)
    const escapedTooLong = prefix + 'é'.repeat(4000);
    expect(Buffer.byteLength(escapedTooLong)).toBeLessThanOrEqual(MAX_URL_LENGTH);
    expectError(escapedTooLong, 'TOO_LONG', /canonical URL is 24013 bytes.*8192/);
    // exactly at the limit after escaping: accepted, and its href is accepted again
    const n = Math.floor((MAX_URL_LENGTH - prefix.length) / 6);
    const fits = prefix + 'é'.repeat(n) + 'a'.repeat(MAX_URL_LENGTH - prefix.length - 6 * n);
    const once = canonicalize(fits);
    expect(once.href).toHaveLength(MAX_URL_LENGTH);
    expect(canonicalize(once.href)).toEqual(once);
    expectError(fits + 'a', 'TOO_LONG');
  });

  it('limits domain names to 253 characters and labels to 63 (RFC 1035)', () => {
    const label = (n: number, c = 'a') => c.repeat(n);
    const host253 = [label(63), label(63), label(63), label(61)].join('.');
    expect(host253).toHaveLength(MAX_HOST_LENGTH);
    expect(canonicalize(`http://${host253}/`).host).toBe(host253);
    expect(canonicalize(`http://${host253}./`).host).toBe(host253); // trailing dot removed first
    expectError(`http://${host253}b/`, 'INVALID_HOST', /254 characters.*253/);
    expect(canonicalize(`http://${label(MAX_LABEL_LENGTH)}.com/`).host).toHaveLength(MAX_LABEL_LENGTH + 4);
    expectError(`http://${label(MAX_LABEL_LENGTH + 1)}.com/`, 'INVALID_HOST', /label of 64 characters/);
    expectError(`http://www.${label(64, 'B')}/`, 'INVALID_HOST', /label/);
    // IDN: the limit applies to the punycode form
    expectError(`http://${'ü'.repeat(60)}.de/`, 'INVALID_HOST', /label/);
    expect(canonicalize(`http://${'ü'.repeat(20)}.de/`).hostKind).toBe('domain');
  });

  it('honours options.maxLength and rejects a bad one', () => {
    expect(canonicalize('http://a.com/', { maxLength: 13 }).href).toBe('http://a.com/');
    expect(() => canonicalize('http://a.com/x', { maxLength: 13 })).toThrow(UrlError);
    for (const maxLength of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => canonicalize('http://a.com/', { maxLength })).toThrow(RangeError);
    }
  });

  it('stays linear on pathological input (1 MB each; quadratic code would time out)', { timeout: 20_000 }, () => {
    const n = 1_000_000;
    const options = { maxLength: 4 * n };
    expect(canonicalize(`http://h/%${'25'.repeat(n / 2)}`, options).href).toBe('http://h/%25');
    // "%%%…%252525…": every "25" completes the escape opened by the "%" before it
    expect(canonicalize(`http://h/${'%'.repeat(n / 4)}${'25'.repeat(n / 4)}`, options).path).toBe(`/${'%25'.repeat(n / 4)}`);
    expect(canonicalize(`http://h${'/..'.repeat(n / 3)}`, options).href).toBe('http://h/');
    expect(canonicalize(`http://${'.'.repeat(n)}a.com/`, options).host).toBe('a.com');
    expect(canonicalize(`http://h/${'\x01'.repeat(n)}x`, options).path).toHaveLength(1 + 3 * n + 1);
    expect(canonicalize(`http://h/?${'%2525'.repeat(n / 5)}`, options).query).toBe('%25'.repeat(n / 5));
    expect(() => canonicalize(`http://[${':'.repeat(n)}]/`, options)).toThrow(/IPv6/);
    expect(() => canonicalize(`http://${'a.'.repeat(n / 2)}com/`, options)).toThrow(/over the limit of 253/);
  });
});

describe('canonicalize: idempotence', () => {
  const successes = [
    ...SAFE_BROWSING_VECTORS.map((v) => v.input),
    ...EXTRA_CASES.map((c) => c.input),
    ...REALISTIC_URLS,
  ].filter((input) => !(outcome(input) instanceof UrlError));

  it('realistic URLs all canonicalize', () => {
    for (const input of REALISTIC_URLS) expect(outcome(input), input).not.toBeInstanceOf(UrlError);
  });

  it.each(successes)('%s', (input) => {
    const once = canonicalize(input);
    expect(canonicalize(once.href)).toEqual(once);
  });

  const fixture = new URL('../../fixtures/urls-2k.csv', import.meta.url);
  it.skipIf(!existsSync(fixture))('fixtures/urls-2k.csv: every row is idempotent or a UrlError', () => {
    const urls = urlColumn(readFileSync(fixture, 'utf8'));
    expect(urls.length).toBeGreaterThan(0);
    for (const input of urls) {
      const once = outcome(input);
      if (once instanceof UrlError) continue;
      expectWellFormed(once);
    }
  });

  it('random input: only UrlError is thrown, and every result is canonical (seeded)', () => {
    const atoms = [
      'http://', 'https://', 'HTTP:', '//', '/', '\\', '.', '..', '%', '%2', '%25', '%2e', '%2F', '%3F', '%40', '%5C',
      '%23', '?', '#', '@', ':', '80', '8080', '[', ']', '::1', 'ffff:', 'a', 'B', 'ü', 'xn--', '0x7f', '0', '1', '255',
      '256', ' ', '\t', '\x01', '\x7f', '~', '&', '=', 'é', '。', '１', '%C3', '%BC', '%E2%80%AE', 'user', 'example', 'com',
    ];
    const random = mulberry32(20240601);
    let ok = 0;
    for (let i = 0; i < 20_000; i++) {
      const once = outcome(randomConcat(random, atoms, 12));
      if (once instanceof UrlError) continue;
      ok++;
      expectWellFormed(once);
    }
    expect(ok).toBeGreaterThan(1000);
  });
});

describe('canonicalize: ASCII host fast path', () => {
  it('gives the host domainToASCII gives, for random ASCII hosts (seeded)', () => {
    // canonicalHost skips domainToASCII for lowercase ASCII hosts without "xn--" labels; this holds it to the result
    // of the full UTS-46 path on hosts built from every printable ASCII character a host may contain.
    const alphabet: string[] = [];
    for (let c = 0x21; c < 0x7f; c++) if (!'#%/:<>?@[\\]^|'.includes(String.fromCharCode(c))) alphabet.push(String.fromCharCode(c));
    // Punycode labels, valid and not, as units: those hosts must take the full path.
    const pool = [...alphabet, ...'abcXN-.0123456789'.repeat(4), ...['.xn--', '.XN--bcher-kva', '.xn--a', '.xn--nxasmq6b'].flatMap((a) => [a, a, a])];
    const random = mulberry32(20261122);
    let compared = 0;
    for (let i = 0; i < 50_000; i++) {
      const host = randomConcat(random, pool, 16);
      const got = outcome(`http://${host}/`);
      const lower = host.toLowerCase().split('.').filter((l) => l !== '').join('.');
      const expected = domainToASCII(lower);
      if (got instanceof UrlError) continue;
      if (got.hostKind !== 'domain') continue;
      compared++;
      expect(got.host, JSON.stringify(host)).toBe(expected);
    }
    expect(compared).toBeGreaterThan(20_000);
  });
});

/** 1..maxParts pieces drawn from `pieces` with `random`, concatenated. */
function randomConcat(random: () => number, pieces: readonly string[], maxParts: number): string {
  let s = '';
  const n = 1 + Math.floor(random() * maxParts);
  for (let j = 0; j < n; j++) s += pieces[Math.floor(random() * pieces.length)];
  return s;
}

/** Deterministic PRNG (mulberry32) so the random test is reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The `url` column (or the first column) of an RFC 4180 CSV with a header line. */
function urlColumn(text: string): string[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  const header = rows.shift() ?? [];
  const column = Math.max(0, header.indexOf('url'));
  return rows.map((r) => r[column] ?? '').filter((url) => url !== '');
}
