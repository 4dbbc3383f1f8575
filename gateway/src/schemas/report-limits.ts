/** Limits of `POST /api/reports` that clients share (dependency-free, so the browser extension can bundle it). */

/** Longest report comment, characters. */
export const REPORT_COMMENT_MAX = 1000;
