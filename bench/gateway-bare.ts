/**
 * The baseline of bench/gateway.ts: a bare Fastify server with one POST route that parses a JSON body and answers a
 * small JSON object. Listens on 127.0.0.1:$PORT.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/bare', async (req) => ({ ok: true, n: JSON.stringify(req.body).length }));
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
