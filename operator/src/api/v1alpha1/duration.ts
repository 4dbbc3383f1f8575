/**
 * Parses a Go-style duration string as used in PhishModel specs ("90s", "5m", "1h30m", "250ms") into milliseconds.
 * Grammar: one or more `<number><unit>` with unit ms|s|m|h (the CRD pattern `^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`).
 * @returns milliseconds (≥ 0), or `null` when the string does not match the grammar.
 */
export function parseDuration(text: string): number | null {
  if (!/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/.test(text)) return null;
  const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const m of text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g)) {
    total += Number(m[1]) * (unitMs[m[2] as string] as number);
  }
  return Math.round(total);
}
