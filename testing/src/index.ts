/**
 * @phishnet/testing: the one harness for starting real processes in tests (inference, gateway, operator, Redis,
 * Prometheus, a Kubernetes control plane, a feed server). A test-only package: no production package depends on it.
 */
export * from './process.ts';
export * from './services.ts';
export * from './tracks.ts';
export * from './inference-logs.ts';
export * from './prometheus.ts';
export * from './control-plane.ts';
export * from './feed-server.ts';
export * from './rollout-load.ts';
