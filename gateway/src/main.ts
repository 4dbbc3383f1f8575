/**
 * Gateway process: parse config once, build the app, listen, shut down gracefully on SIGINT/SIGTERM.
 *   node gateway/src/main.ts   (env: PHISHNET_GATEWAY_*, see config.ts)
 */
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';

let config;
try {
  config = loadConfig(process.env);
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
const { app } = await buildApp(config);
try {
  await app.listen({ port: config.PHISHNET_GATEWAY_PORT, host: config.PHISHNET_GATEWAY_HOST });
} catch (err) {
  app.log.fatal({ err }, 'cannot listen');
  process.exit(1);
}

let closing = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (closing) return;
    closing = true;
    app.log.info({ signal: sig }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app.close().then(() => process.exit(0), (err: unknown) => {
      app.log.error({ err }, 'error during shutdown');
      process.exit(1);
    });
  });
}
