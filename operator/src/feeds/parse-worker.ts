/**
 * Parses a feed document off the event loop: @phishnet/lists `parseFeed` is synchronous and takes seconds for large
 * feeds (measured: 100,000 URLs ≈ 2 s, 1,000,000 ≈ 14 s on this machine), long enough to miss leader-election renewals
 * and informer events. One worker thread per parse; its heap is freed when it exits.
 *
 * The same file is the worker's entry point (when loaded with `workerData`).
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { FeedFormatError, FeedTooLargeError, encodeHashes, parseFeed, type FeedFormat, type ListKind, type ParseOptions } from '@phishnet/lists';

export interface ParsedDocument {
  /** Sorted, deduplicated full hashes ({@link encodeHashes} output). */
  data: Buffer;
  accepted: number;
  rejected: Record<string, number>;
  rejectedExamples: string[];
}

interface Job { format: FeedFormat; body: string; kind: ListKind; opts: ParseOptions }
type Reply =
  | { ok: true; data: Uint8Array; accepted: number; rejected: Record<string, number>; rejectedExamples: string[] }
  | { ok: false; name: string; message: string };

/** The worker ran out of its heap (`memoryMb`). */
export class ParseMemoryError extends Error {
  constructor(message: string) { super(message); this.name = 'ParseMemoryError'; }
}

/**
 * `parseFeed(format, body, kind, opts)` in a worker thread, the hashes already encoded. `memoryMb` caps the worker's
 * old-generation heap (measured peak of the whole process: about 300 MB for 100,000 URLs, 550 MB for 250,000), so a
 * feed too big to parse fails this sync instead of getting the operator OOM-killed.
 * @throws FeedFormatError / FeedTooLargeError as parseFeed does; ParseMemoryError past `memoryMb`; Error when the
 *   worker dies otherwise
 */
export function parseInWorker(format: FeedFormat, body: string, kind: ListKind, opts: ParseOptions, memoryMb?: number): Promise<ParsedDocument> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { format, body, kind, opts } satisfies Job,
      ...(memoryMb !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: memoryMb } } : {}),
    });
    let settled = false;
    worker.once('message', (r: Reply) => {
      settled = true;
      if (r.ok) resolve({ data: Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength), accepted: r.accepted, rejected: r.rejected, rejectedExamples: r.rejectedExamples });
      else if (r.name === 'FeedFormatError') reject(new FeedFormatError(r.message));
      else if (r.name === 'FeedTooLargeError') reject(new FeedTooLargeError(r.message));
      else reject(new Error(r.message));
    });
    worker.once('error', (err: Error & { code?: string }) => {
      if (settled) return;
      settled = true;
      reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new ParseMemoryError(`parsing needs more than ${memoryMb} MB of heap`) : err);
    });
    worker.once('exit', (code) => { if (!settled) { settled = true; reject(new Error(`parse worker exited with code ${code}`)); } });
  });
}

if (!isMainThread && parentPort && (workerData as Job | undefined)?.format) {
  const job = workerData as Job;
  let reply: Reply;
  try {
    const r = parseFeed(job.format, job.body, job.kind, job.opts);
    const data = new Uint8Array(encodeHashes(r.hashes)); // an exact-size copy (a small Buffer may sit in the shared pool)
    reply = { ok: true, data, accepted: r.accepted, rejected: r.rejected, rejectedExamples: r.rejectedExamples };
    parentPort.postMessage(reply, [data.buffer]);
  } catch (err) {
    reply = { ok: false, name: err instanceof Error ? err.name : 'Error', message: err instanceof Error ? err.message : String(err) };
    parentPort.postMessage(reply);
  }
}
