/** The full-page warning: what was found and why, "back to safety", "continue anyway" and "report a mistake". */
import type { ReportAnswer, TabState } from '../core/messages.ts';
import { reasonText } from '../core/reasons.ts';
import { REPORT_COMMENT_MAX } from '@phishnet/api/limits';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
$<HTMLTextAreaElement>('comment').maxLength = REPORT_COMMENT_MAX;
const url = new URLSearchParams(location.search).get('url') ?? '';
$('url').textContent = url;

async function show(): Promise<void> {
  const st = (await chrome.runtime.sendMessage({ type: 'verdict-for', url })) as TabState | null;
  const v = st?.verdict;
  const list = $('reasons');
  list.replaceChildren();
  const reasons = v?.reasons.length ? v.reasons : ['PHISHING_LIKE_FEATURES'];
  for (const code of reasons) {
    const li = document.createElement('li');
    li.textContent = reasonText(code);
    li.dataset.code = code;
    list.append(li);
  }
  if (v) {
    const by = v.source?.kind === 'list' ? `the list "${v.source.list}"` : v.model ? `model ${v.model.name} ${v.model.version}` : 'the model';
    $('score').textContent = `Phishing probability ${Math.round(v.score * 100)}% (${by}).`;
  }
  document.body.dataset.ready = 'true';
}

$('back').addEventListener('click', () => void chrome.runtime.sendMessage({ type: 'back-to-safety' }));
$('continue').addEventListener('click', async () => {
  await chrome.runtime.sendMessage({ type: 'proceed', url });
  location.replace(url);
});
$('report-open').addEventListener('click', () => { $('report').hidden = false; });
$('report').addEventListener('submit', async (e) => {
  e.preventDefault();
  const comment = $<HTMLTextAreaElement>('comment').value;
  const r = (await chrome.runtime.sendMessage({ type: 'report', url, expected: 'legitimate', comment })) as ReportAnswer;
  $('report-result').textContent = r.ok ? 'Thank you: report received.' : `Could not send the report: ${r.error ?? 'unknown error'}`;
  $('report-result').dataset.ok = String(r.ok);
});

void show();
