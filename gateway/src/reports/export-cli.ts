/**
 * Exports confirmed reports as labelled training rows (`url,label,source,first_seen`), the format training/ reads.
 *   npm run reports:export -- [--out FILE] [--min-reporters N] [--dominance K] [--feed deny|allow]
 * With --feed, writes a PhishFeed document instead: `deny` → confirmed phishing URLs (format url-list), `allow` → hosts
 * of confirmed legitimate URLs (format domain-list), for a ConfigMap that a PhishFeed of that kind reads.
 * Reads the gateway's report store from the same environment the gateway uses: PHISHNET_GATEWAY_REDIS_URL (the stream
 * `phishnet:reports`) when set, else PHISHNET_GATEWAY_REPORTS_FILE. The confirmation rule is documented in
 * reports/confirm.ts (defaults: 3 distinct reporters, 3× as many as disagree). Writes to stdout without --out; prints
 * a summary to stderr. Exit 2 on bad arguments or configuration, 1 when the store cannot be read.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { loadConfig } from '../config.ts';
import { DEFAULT_DOMINANCE, DEFAULT_MIN_REPORTERS, confirmReports, toFeed, toTrainingCsv } from './confirm.ts';
import { FileReportStore, RedisReportStore, type ReportStore } from './store.ts';

let args;
let config;
try {
  args = parseArgs({
    options: {
      out: { type: 'string' },
      'min-reporters': { type: 'string', default: String(DEFAULT_MIN_REPORTERS) },
      dominance: { type: 'string', default: String(DEFAULT_DOMINANCE) },
      feed: { type: 'string' },
    },
  }).values;
  config = loadConfig(process.env);
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
const minReporters = Number(args['min-reporters']);
const dominance = Number(args.dominance);
if (args.feed !== undefined && args.feed !== 'deny' && args.feed !== 'allow') {
  console.error('--feed must be deny or allow');
  process.exit(2);
}
if (!Number.isInteger(minReporters) || minReporters < 1 || !(dominance >= 1)) {
  console.error('--min-reporters must be an integer >= 1 and --dominance a number >= 1');
  process.exit(2);
}

let redis: Redis | null = null;
let store: ReportStore;
if (config.PHISHNET_GATEWAY_REDIS_URL) {
  redis = new Redis(config.PHISHNET_GATEWAY_REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 5_000, lazyConnect: true });
  store = new RedisReportStore(redis, config.PHISHNET_GATEWAY_REPORTS_MAXLEN);
} else {
  store = new FileReportStore(config.PHISHNET_GATEWAY_REPORTS_FILE);
}
try {
  const reports = await store.readAll();
  const rows = confirmReports(reports, { minReporters, dominance });
  const csv = args.feed === 'deny' || args.feed === 'allow' ? toFeed(rows, args.feed) : toTrainingCsv(rows);
  if (args.out) writeFileSync(args.out, csv);
  else process.stdout.write(csv);
  console.error(`reports: ${reports.length} read from ${store.kind}, ${rows.length} URL(s) confirmed (min ${minReporters} reporters, ${dominance}x dominance)`);
} catch (err) {
  console.error(`cannot read reports from ${store.kind}: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  redis?.disconnect();
}
