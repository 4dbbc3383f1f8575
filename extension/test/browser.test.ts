/**
 * Browser tier: Debian's Chromium (puppeteer-core against /usr/bin/chromium, no downloaded browser) loads the built,
 * unpacked extension against the real gateway, the real inference (real model) and real Redis on 127.0.0.1. A local
 * HTTP server serves every test page; `--host-resolver-rules` maps the test host names to it. The steps run in order
 * and share the browser:
 *  - a phishing-looking host → the warning page, with the reasons in plain words; "report a mistake" from it;
 *  - "continue anyway" → the page loads and stays allowed on that host;
 *  - a legitimate page → no warning, badge "safe"; "report a mistake" from the popup;
 *  - the reports are in the Redis stream and (under the export's rule) in the training CSV;
 *  - privacy mode (set through the options page): a host on a deny list (a lists-directory file of the gateway) gets the warning, a page on no list
 *    the badge "list", and neither URL reaches check-url(s) (the gateway's request counters); "back to safety" leaves;
 *  - gateway stopped → pages still load, badge "unchecked".
 * Screenshots of the warning page and the popup are written to extension/docs/screenshots/ (shown in the README).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import puppeteer, { type Browser, type Page, type WebWorker } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type GatewayProc, ROOT, type ServiceProc, startGateway, startInference, startRedis } from '@phishnet/testing';

const run = promisify(execFile);
const EXT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(EXT, 'dist');
const SHOTS = join(EXT, 'docs', 'screenshots');
const CHROMIUM = '/usr/bin/chromium';

/** Test host names (resolved to the local page server by Chromium only). The model scores the first as phishing. */
const PHISH_HOST = 'paypal.com.account-verify-login.xyz';
const LEGIT_HOST = 'example.com';
const LEGIT_HOST_2 = 'www.example.net';
/** On the gateway's deny list `browser` (a host entry: every URL on it); the model alone scores it legitimate. */
const LISTED_HOST = 'www.example.org';
const UNLISTED_HOST = 'docs.example.net';
const PHISH_URL = `http://${PHISH_HOST}/signin/`;
const LEGIT_URL = `http://${LEGIT_HOST}/`;

let redis: ServiceProc;
let inference: ServiceProc;
let gateway: GatewayProc;
let pages: Server;
let browser: Browser;
let worker: WebWorker;
let extId: string;
let profile: string;

/** Evaluates `fn(arg)` in the extension's service worker (where `chrome.*` is available). */
function inWorker<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> {
  return worker.evaluate(fn as never, arg as never) as Promise<R>;
}

/** The badge text and the extension's state of the tab showing a URL that starts with `prefix`. */
async function tabBadge(prefix: string): Promise<{ tabId: number; text: string; status: string | undefined } | null> {
  return inWorker(async (p: string) => {
    const tabs = await chrome.tabs.query({});
    const t = tabs.find((x) => (x.url ?? '').startsWith(p));
    if (t?.id === undefined) return null;
    const text = await chrome.action.getBadgeText({ tabId: t.id });
    const st = (await chrome.storage.session.get(`tab:${t.id}`))[`tab:${t.id}`] as { status?: string } | undefined;
    return { tabId: t.id, text, status: st?.status };
  }, prefix);
}

/** Polls `fn` until it returns a truthy value or `ms` passes (then throws with the last value). */
async function until<T>(what: string, fn: () => Promise<T>, ms = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not reached within ${ms} ms (last: ${JSON.stringify(last)})`);
}

/** Sets the extension's options through its options page and waits until the service worker applies them. */
async function configure(privacyMode: boolean): Promise<void> {
  const options = await browser.newPage();
  await options.goto(`chrome-extension://${extId}/options.html`);
  await options.waitForFunction(() => (document.getElementById('gatewayUrl') as HTMLInputElement).value !== '');
  await options.$eval('#gatewayUrl', (e, u) => { (e as HTMLInputElement).value = u; }, gateway.url);
  const box = await options.$eval('#privacyMode', (e) => (e as HTMLInputElement).checked);
  if (box !== privacyMode) await options.click('#privacyMode');
  await options.click('button[type=submit]');
  await options.waitForFunction(() => document.getElementById('saved')?.textContent === 'Saved.');
  await options.close();
  const want = { gatewayUrl: gateway.url, privacyMode };
  await until('settings in effect', () => inWorker((w: typeof want) => {
    const have = (globalThis as unknown as { phishnet?: { settings: typeof want } }).phishnet?.settings;
    return have?.gatewayUrl === w.gatewayUrl && have.privacyMode === w.privacyMode;
  }, want));
}

/** Requests the gateway answered on `route` (its own /metrics). */
async function requestsOn(route: string): Promise<number> {
  const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith('phishnet_gateway_requests_total{') && l.includes(`route="${route}"`))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Navigates without failing on the abort a redirect to the warning page causes. */
async function visit(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 30_000 }).catch((err: Error) => {
    if (!/ERR_ABORTED|frame was detached|Navigating frame was detached/.test(err.message)) throw err;
  });
}

beforeAll(async () => {
  await run(process.execPath, [join(EXT, 'build.ts')], { cwd: ROOT });
  profile = mkdtempSync(join(tmpdir(), 'phishnet-chromium-'));
  const listsDir = join(profile, 'lists');
  mkdirSync(listsDir);
  writeFileSync(join(listsDir, 'browser.deny.txt'), `http://${LISTED_HOST}/\n`);
  redis = await startRedis();
  inference = await startInference();
  gateway = await startGateway({
    PHISHNET_GATEWAY_INFERENCE_URL: inference.url, PHISHNET_GATEWAY_REDIS_URL: `redis://127.0.0.1:${redis.port}`,
    PHISHNET_GATEWAY_LISTS_DIR: listsDir, PHISHNET_GATEWAY_DEFAULT_ALLOWLIST: 'false',
  });
  pages = createServer((req, res) => {
    const host = (req.headers.host ?? '').replace(/[^a-z0-9.:-]/gi, '');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`<!doctype html><title>${host}</title><h1 id="page">Page on ${host}</h1>`);
  });
  await new Promise<void>((r) => pages.listen(0, '127.0.0.1', r));
  const port = (pages.address() as { port: number }).port;
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    timeout: 60_000,
    headless: true,
    userDataDir: profile,
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
      `--disable-extensions-except=${DIST}`, `--load-extension=${DIST}`,
      `--host-resolver-rules=${[PHISH_HOST, LEGIT_HOST, LEGIT_HOST_2, LISTED_HOST, UNLISTED_HOST].map((h) => `MAP ${h} 127.0.0.1:${port}`).join(', ')}`,
    ],
  });
  const target = await browser.waitForTarget((t) => t.type() === 'service_worker' && t.url().endsWith('/background.js'), { timeout: 60_000 });
  extId = new URL(target.url()).host;
  worker = (await target.worker())!;
  await configure(false);
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  const pid = browser?.process()?.pid;
  await browser?.close().catch(() => {
    if (pid !== undefined) process.kill(pid, 'SIGKILL');
  });
  await new Promise<void>((r) => (pages ? pages.close(() => r()) : r()));
  await Promise.allSettled([gateway?.stop(), inference?.stop(), redis?.stop()]);
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('the extension in Chromium against the real gateway', () => {
  let page: Page;

  test('a phishing-looking page is replaced by the warning page, with its reasons in plain words', async () => {
    page = await browser.newPage();
    await page.setViewport({ width: 1000, height: 760 });
    await visit(page, PHISH_URL);
    const warning = `chrome-extension://${extId}/warning.html`;
    await page.waitForFunction((w: string) => location.href.startsWith(w) && document.body.dataset.ready === 'true', { timeout: 30_000 }, warning);
    expect(new URL(page.url()).searchParams.get('url')).toBe(PHISH_URL);
    const reasons = await page.$$eval('#reasons li', (lis) => lis.map((li) => ({ code: (li as HTMLElement).dataset.code, text: li.textContent })));
    expect(reasons.map((r) => r.code)).toContain('BRAND_IN_SUBDOMAIN');
    expect(reasons.find((r) => r.code === 'BRAND_IN_SUBDOMAIN')!.text).toMatch(/brand name appears in front of a site/);
    expect(await page.$eval('#score', (e) => e.textContent)).toMatch(/Phishing probability \d+%/);
    await page.screenshot({ path: join(SHOTS, 'warning.png') });
    await until('badge "!" (phishing)', async () => {
      const b = await tabBadge(warning);
      return b?.status === 'phishing' && b.text === '!';
    });

    // "Report a mistake" from the warning page.
    await page.click('#report-open');
    await page.type('#comment', 'our staff sign-in page');
    await page.click('#report-send');
    await page.waitForFunction(() => document.getElementById('report-result')?.dataset.ok === 'true', { timeout: 10_000 });
  });

  test('the popup shows the verdict, score and reasons of the tab', async () => {
    const st = await tabBadge(`chrome-extension://${extId}/warning.html`);
    const popup = await browser.newPage();
    await popup.setViewport({ width: 380, height: 520 });
    await popup.goto(`chrome-extension://${extId}/popup.html?tabId=${st!.tabId}`);
    await popup.waitForFunction(() => document.body.dataset.ready === 'true');
    expect(await popup.$eval('#verdict', (e) => (e as HTMLElement).dataset.status)).toBe('phishing');
    expect(await popup.$eval('#score', (e) => e.textContent)).toMatch(/Phishing probability: \d+%/);
    expect(await popup.$$eval('#reasons li', (lis) => lis.map((l) => (l as HTMLElement).dataset.code))).toContain('SENSITIVE_WORDS');
    await popup.screenshot({ path: join(SHOTS, 'popup.png'), fullPage: true });
    await popup.close();
  });

  test('"continue anyway" loads the page, and the host stays allowed', async () => {
    await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.click('#continue')]);
    expect(page.url()).toBe(PHISH_URL);
    expect(await page.$eval('#page', (e) => e.textContent)).toBe(`Page on ${PHISH_HOST}`);
    await until('badge "skip" (allowed)', async () => {
      const b = await tabBadge(PHISH_URL);
      return b?.status === 'allowed' && b.text === 'skip';
    });
    // Another page on the same host: checked (phishing), but not blocked.
    const again = `http://${PHISH_HOST}/signin/again`;
    await visit(page, again);
    await until('second page allowed', async () => {
      const b = await tabBadge(again);
      return b?.status === 'allowed' && b.text === 'skip';
    });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(page.url()).toBe(again);
    expect(await page.$eval('#page', (e) => e.textContent)).toBe(`Page on ${PHISH_HOST}`);
    expect((await tabBadge(again))!.text).toBe('skip');
  });

  test('a legitimate page loads without warning, badge "safe"; a report from the popup', async () => {
    const p = await browser.newPage();
    await visit(p, LEGIT_URL);
    const st = await until('badge safe', async () => {
      const b = await tabBadge(LEGIT_URL);
      return b?.status === 'safe' && b.text === 'safe' ? b : null;
    });
    expect(st.text).toBe('safe');
    expect(p.url()).toBe(LEGIT_URL);
    expect(await p.$eval('#page', (e) => e.textContent)).toBe(`Page on ${LEGIT_HOST}`);

    const popup = await browser.newPage();
    await popup.goto(`chrome-extension://${extId}/popup.html?tabId=${st.tabId}`);
    await popup.waitForFunction(() => document.body.dataset.ready === 'true');
    expect(await popup.$eval('#verdict', (e) => (e as HTMLElement).dataset.status)).toBe('safe');
    expect(await popup.$eval('#expected-phishing', (e) => (e as HTMLInputElement).checked)).toBe(true);
    await popup.click('#report-send');
    await popup.waitForFunction(() => document.getElementById('report-result')?.dataset.ok === 'true', { timeout: 10_000 });
    await popup.close();
    await p.close();
  });

  test('the reports are in the Redis stream and, under the confirmation rule, in the training export', async () => {
    const { stdout } = await run('redis-cli', ['-p', String(redis.port), '--no-raw', 'XRANGE', 'phishnet:reports', '-', '+']);
    expect(stdout).toContain(PHISH_URL);
    expect(stdout).toContain('our staff sign-in page');
    expect(stdout).toContain(LEGIT_URL);
    const env = { ...process.env, PHISHNET_GATEWAY_REDIS_URL: `redis://127.0.0.1:${redis.port}` };
    const cli = join(ROOT, 'gateway/src/reports/export-cli.ts');
    // One reporter (this browser) is below the default rule (3 distinct reporters): nothing is confirmed.
    const strict = await run(process.execPath, [cli], { env });
    expect(strict.stdout).toBe('url,label,source,first_seen\n');
    const out = join(profile, 'reports.csv');
    await run(process.execPath, [cli, '--min-reporters', '1', '--out', out], { env });
    const today = new Date().toISOString().slice(0, 10);
    const rows = readFileSync(out, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('url,label,source,first_seen');
    expect(rows).toContain(`${PHISH_URL},0,reports:user,${today}`);
    expect(rows).toContain(`${LEGIT_URL},1,reports:user,${today}`);
  });

  test('privacy mode: hash prefixes only; a deny-listed host gets the warning, a page on no list the badge "list"', async () => {
    await configure(true);
    const modelCalls = async () => (await requestsOn('/api/check-url')) + (await requestsOn('/api/check-urls'));
    const [checksBefore, searchesBefore] = [await modelCalls(), await requestsOn('/api/hashes/search')];
    const p = await browser.newPage();
    const listed = `http://${LISTED_HOST}/account/login`;
    await visit(p, listed);
    await p.waitForFunction((w: string) => location.href.startsWith(w) && document.body.dataset.ready === 'true',
      { timeout: 30_000 }, `chrome-extension://${extId}/warning.html`);
    const reasons = await p.$$eval('#reasons li', (lis) => lis.map((li) => (li as HTMLElement).dataset.code));
    expect(reasons).toEqual(['KNOWN_PHISHING']);
    expect(await p.$eval('#score', (e) => e.textContent)).toContain('the list "browser"');
    // "Back to safety" leaves for the new-tab page (headless Chromium has none and shows its error page instead).
    await p.click('#back');
    await until('left the warning page', async () => /^(chrome:\/\/new-?tab|chrome-error:|about:blank)/.test(p.url()));
    expect(p.url()).not.toContain(LISTED_HOST);

    const q = await browser.newPage();
    const unlisted = `http://${UNLISTED_HOST}/guide/`;
    await visit(q, unlisted);
    const st = await until('badge list', async () => {
      const b = await tabBadge(unlisted);
      return b?.status === 'not-listed' && b.text === 'list' ? b : null;
    });
    expect(st.text).toBe('list');
    expect(await q.$eval('#page', (e) => e.textContent)).toBe(`Page on ${UNLISTED_HOST}`);
    expect(await requestsOn('/api/hashes/search')).toBeGreaterThanOrEqual(searchesBefore + 2);
    expect(await modelCalls()).toBe(checksBefore); // no URL was sent to the model
    await Promise.all([p.close(), q.close()]);
    await configure(false);
  });

  test('gateway stopped: pages still load, badge "unchecked"', async () => {
    await gateway.stop();
    const p = await browser.newPage();
    const url = `http://${LEGIT_HOST_2}/about/`;
    await visit(p, url);
    const st = await until('badge unchecked', async () => {
      const b = await tabBadge(url);
      return b?.status === 'unchecked' && b.text === '?' ? b : null;
    });
    expect(st.text).toBe('?');
    expect(p.url()).toBe(url);
    expect(await p.$eval('#page', (e) => e.textContent)).toBe(`Page on ${LEGIT_HOST_2}`);
  });
});
