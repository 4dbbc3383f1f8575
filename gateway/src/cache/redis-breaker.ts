/**
 * Circuit breaker (cockatiel) around the gateway's per-request Redis calls: L2 cache lookups and stores, the last model
 * digest and the rate-limit counters. Redis is an optimisation: each command is bounded by ioredis' `commandTimeout`
 * (PHISHNET_GATEWAY_REDIS_COMMAND_TIMEOUT_MS), and after PHISHNET_GATEWAY_REDIS_BREAKER_FAILURES consecutive failures
 * the breaker opens — calls then fail at once, without touching Redis, for PHISHNET_GATEWAY_REDIS_BREAKER_HALF_OPEN_MS,
 * after which one call probes Redis (half-open). So a hung Redis costs at most `failures × commandTimeout` of delay
 * in total before the breaker opens, then nothing until the probe (one more command timeout at most).
 *
 * The list source (lists/redis-source.ts) and the reports stream use their own handling and are not behind it.
 * State is exported as `phishnet_gateway_redis_breaker_state` (0 closed, 1 half-open, 2 open).
 */
import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll, type CircuitBreakerPolicy } from 'cockatiel';
import type { GatewayMetrics } from '../metrics/metrics.ts';
import { circuitStateValue } from '../upstream/inference-client.ts';

export interface RedisBreakerOptions {
  /** Consecutive failed Redis calls that open the breaker. */
  failures: number;
  /** Time the breaker stays open before one half-open probe, ms. */
  halfOpenAfterMs: number;
}

export class RedisBreaker {
  readonly #breaker: CircuitBreakerPolicy;

  constructor(opts: RedisBreakerOptions, metrics: GatewayMetrics) {
    this.#breaker = circuitBreaker(handleAll, { halfOpenAfter: opts.halfOpenAfterMs, breaker: new ConsecutiveBreaker(opts.failures) });
    this.#breaker.onStateChange((s) => metrics.redisBreakerState.set(circuitStateValue(s)));
    metrics.redisBreakerState.set(0);
  }

  /**
   * Runs one Redis call through the breaker.
   * @throws the call's own error, or cockatiel's BrokenCircuitError at once while the breaker is open (and while a
   *   half-open probe is in flight)
   */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.#breaker.execute(fn);
  }

  /** Whether calls are refused without trying Redis (open, or half-open with the probe in flight). */
  isOpen(): boolean {
    return this.#breaker.state === CircuitState.Open || this.#breaker.state === CircuitState.Isolated;
  }

  /** 'closed' | 'half-open' | 'open', for /readyz. */
  state(): 'closed' | 'half-open' | 'open' {
    const v = circuitStateValue(this.#breaker.state);
    return v === 0 ? 'closed' : v === 1 ? 'half-open' : 'open';
  }
}
