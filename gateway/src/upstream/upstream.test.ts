import { BrokenCircuitError, BulkheadRejectedError, CircuitState, TaskCancelledError } from 'cockatiel';
import { describe, expect, test } from 'vitest';
import { Batcher } from './batcher.ts';
import { UpstreamContractError, UpstreamHttpError, isRetryable, outcomeOf, retryAfterFor } from './errors.ts';
import { circuitStateValue, describeProblem, parseRetryAfter } from './inference-client.ts';
import { problem } from '@phishnet/api';

describe('Batcher', () => {
  test('concurrent loads within the wait are one call; duplicate keys are coalesced', async () => {
    const calls: string[][] = [];
    const b = new Batcher<string>({ maxWaitMs: 5, maxBatch: 64, send: async (keys) => { calls.push(keys); return keys.map((k) => k.toUpperCase()); } });
    const got = await Promise.all(['a', 'b', 'a', 'c', 'b'].map((k) => b.load(k, k)));
    expect(got).toEqual(['A', 'B', 'A', 'C', 'B']);
    expect(calls).toEqual([['a', 'b', 'c']]);
    expect(b.size).toBe(0);
  });
  test('a full batch is sent at once, the rest at the end of the turn while a slot is free', async () => {
    const calls: string[][] = [];
    const b = new Batcher<number>({ maxWaitMs: 1_000, maxBatch: 2, send: async (keys) => { calls.push(keys); return keys.map(Number); } });
    const p = Promise.all(['1', '2', '3'].map((k) => b.load(k, k)));
    expect(calls).toEqual([['1', '2']]);
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([['1', '2'], ['3']]);
    expect(await p).toEqual([1, 2, 3]);
  });
  test('with maxInFlight batches outstanding, new keys wait for one to settle and go together', async () => {
    const calls: string[][] = [];
    const gates: (() => void)[] = [];
    const b = new Batcher<string>({
      maxWaitMs: 10_000, maxBatch: 64, maxInFlight: 1,
      send: (keys) => { calls.push(keys); return new Promise((r) => gates.push(() => r(keys))); },
    });
    const first = b.load('a', 'a');
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([['a']]);
    const later = ['b', 'c', 'd'].map((k) => b.load(k, k));
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toHaveLength(1); // waiting for the slot, not for the timer
    expect(b.batchesInFlight).toBe(1);
    gates[0]!();
    expect(await first).toBe('a');
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([['a'], ['b', 'c', 'd']]);
    gates[1]!();
    expect(await Promise.all(later)).toEqual(['b', 'c', 'd']);
    expect(b.batchesInFlight).toBe(0);
  });
  test('a batch that does not settle holds new keys back at most maxWaitMs', async () => {
    const calls: string[][] = [];
    const b = new Batcher<string>({
      maxWaitMs: 30, maxBatch: 64, maxInFlight: 1,
      send: async (keys) => { calls.push(keys); if (keys[0] === 'hung') await new Promise(() => undefined); return keys; },
    });
    void b.load('hung', 'hung');
    await new Promise((r) => setImmediate(r));
    const started = performance.now();
    expect(await b.load('x', 'x')).toBe('x');
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(calls).toEqual([['hung'], ['x']]);
  });
  test('a failed batch rejects each caller, and the key is asked again later', async () => {
    let n = 0;
    const b = new Batcher<string>({ maxWaitMs: 0, maxBatch: 8, send: async (keys) => { if (n++ === 0) throw new Error('down'); return keys; } });
    await expect(b.load('x', 'x')).rejects.toThrow('down');
    await expect(b.load('x', 'x')).resolves.toBe('x');
  });
});

describe('upstream errors', () => {
  test.each([
    ['timeout', new TaskCancelledError(), true, 'timeout'],
    ['open circuit', new BrokenCircuitError(), false, 'rejected'],
    ['bulkhead full', new BulkheadRejectedError(1, 1), false, 'bulkhead_full'],
    ['503 queue full', new UpstreamHttpError(503, 2, 'busy'), true, 'unavailable'],
    ['502', new UpstreamHttpError(502, null, ''), true, 'error'],
    ['400 is a bug, not retried', new UpstreamHttpError(400, null, ''), false, 'error'],
    ['contract violation', new UpstreamContractError('x'), false, 'error'],
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), true, 'error'],
  ] as const)('%s', (_n, err, retryable, outcome) => {
    expect(isRetryable(err)).toBe(retryable);
    expect(outcomeOf(err)).toBe(outcome);
  });
  test('Retry-After: upstream header, else breaker half-open time, else 1 s', () => {
    expect(retryAfterFor(new UpstreamHttpError(503, 7, ''), 5_000)).toBe(7);
    expect(retryAfterFor(new BrokenCircuitError(), 4_500)).toBe(5);
    expect(retryAfterFor(new Error('x'), 5_000)).toBe(1);
  });
  test('parseRetryAfter: delta-seconds and HTTP-date (RFC 9110 §10.2.3)', () => {
    expect(parseRetryAfter('3')).toBe(3);
    expect(parseRetryAfter(undefined)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 0)).toBe(10);
  });
  test('circuit state metric encoding: 0 closed, 1 half-open, 2 open', () => {
    expect([CircuitState.Closed, CircuitState.HalfOpen, CircuitState.Open, CircuitState.Isolated].map(circuitStateValue)).toEqual([0, 1, 2, 2]);
  });
});

describe('describeProblem (inference error answers, @phishnet/api problem details)', () => {
  test.each([
    ['a problem+json body: code and detail', JSON.stringify(problem(503, 'queue-full', 'overloaded: 10000 URLs waiting; retry later')), 'queue-full: overloaded: 10000 URLs waiting; retry later'],
    ['a problem without detail: code and title', JSON.stringify({ type: 'urn:phishnet:problem:not-found', title: 'Not Found', status: 404 }), 'not-found: Not Found'],
    ['another problem type URI is kept whole', JSON.stringify({ type: 'about:blank', title: 'Bad Gateway', status: 502 }), 'about:blank: Bad Gateway'],
    ['JSON that is no problem: the body', '{"error":"x"}', '{"error":"x"}'],
    ['not JSON: the first 200 characters', 'x'.repeat(300), 'x'.repeat(200)],
  ])('%s', (_n, body, want) => {
    expect(describeProblem(body)).toBe(want);
  });
});
