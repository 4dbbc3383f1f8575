/**
 * `POST /api/reports` schemas (zod): a user's report that a verdict was wrong. The OpenAPI document is generated from
 * these. The browser extension bounds its comment by the same limit (`@phishnet/api/limits`).
 */
import { z } from 'zod';
import { MAX_URL_LENGTH, REPORT_COMMENT_MAX } from './limits.ts';

export { REPORT_COMMENT_MAX };

/** What the reporter says the URL is. */
export const Expected = z.enum(['phishing', 'legitimate']);
export type Expected = z.infer<typeof Expected>;

export const ReportBody = z.object({
  url: z.string().min(1).max(MAX_URL_LENGTH).describe('The URL the verdict was about (canonicalized like check-url)'),
  expected: Expected.describe('What the verdict should have been'),
  comment: z.string().max(REPORT_COMMENT_MAX).optional().describe(`Free text, at most ${REPORT_COMMENT_MAX} characters`),
}).meta({ id: 'ReportRequest' });
export type ReportBody = z.infer<typeof ReportBody>;

export const ReportAccepted = z.object({
  id: z.string().describe('Identifier of the stored report'),
  status: z.literal('accepted').describe('Stored for review; a report never changes a verdict by itself'),
}).meta({ id: 'ReportAccepted' });
