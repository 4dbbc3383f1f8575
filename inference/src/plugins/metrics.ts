/**
 * Metrics plugin: decorates `app.metrics` with the service's prom-client metrics (see `metrics/registry.ts`).
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ModelRef } from '@phishnet/api';
import { createInferenceMetrics, type InferenceMetrics } from '../metrics/registry.ts';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: InferenceMetrics;
  }
}

export interface MetricsPluginOptions {
  model: ModelRef;
  track: 'stable' | 'canary';
}

async function metricsPlugin(app: FastifyInstance, opts: MetricsPluginOptions): Promise<void> {
  app.decorate('metrics', createInferenceMetrics(opts.model, opts.track));
}

/** Registers `app.metrics`. */
export default fp(metricsPlugin, { name: 'metrics', fastify: '5.x' });
