/**
 * The toolbar popup: the current page's verdict, score and reasons, and "report a mistake". `?tabId=N` shows tab N
 * (tests open the popup as a page; the toolbar opens it for the active tab).
 */
import type { ReportAnswer, TabState } from '../core/messages.ts';
import { reasonText } from '../core/reasons.ts';
import { REPORT_COMMENT_MAX } from '@phishnet/api/limits';
import type { TabStatus } from '../core/types.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
$<HTMLTextAreaElement>('comment').maxLength = REPORT_COMMENT_MAX;

const HEADLINE: Record<TabStatus, string> = {
  checking: 'Checking…',
  safe: 'Safe: no phishing found',
  suspicious: 'Suspicious: be careful here',
  phishing: 'Phishing',
  allowed: 'Phishing (you chose to continue)',
  'not-listed': 'On no list (privacy mode)',
  unchecked: 'Unchecked',
  ignored: 'Not a web page phishnet checks',
};

async function tabId(): Promise<number | undefined> {
  const q = new URLSearchParams(location.search).get('tabId');
  if (q !== null) return Number(q);
  const [t] = await chrome.tabs.query({ active: true, currentWindow: true });
  return t?.id;
}

async function show(): Promise<void> {
  const id = await tabId();
  const st = id === undefined ? null : ((await chrome.runtime.sendMessage({ type: 'tab-state', tabId: id })) as TabState | null);
  const status: TabStatus = st?.status ?? 'ignored';
  const head = $('verdict');
  head.textContent = HEADLINE[status];
  head.className = `verdict ${status}`;
  head.dataset.status = status;
  $('url').textContent = st?.url ?? '';
  const v = st?.verdict;
  if (v) {
    const by = v.source?.kind === 'list' ? `list "${v.source.list}"` : v.model ? `model ${v.model.name} ${v.model.version}` : 'model';
    $('score').textContent = `Phishing probability: ${Math.round(v.score * 100)}% (${by})`;
    const list = $('reasons');
    list.replaceChildren(...v.reasons.map((code) => {
      const li = document.createElement('li');
      li.textContent = reasonText(code);
      li.dataset.code = code;
      return li;
    }));
  }
  $('detail').textContent = st?.detail ?? '';
  if (st && status !== 'ignored') {
    const form = $('report');
    form.hidden = false;
    const wrong = status === 'phishing' || status === 'allowed' || status === 'suspicious' ? 'legitimate' : 'phishing';
    $<HTMLInputElement>(`expected-${wrong}`).checked = true;
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const expected = (form.querySelector('input[name=expected]:checked') as HTMLInputElement | null)?.value as 'phishing' | 'legitimate' | undefined;
      if (!expected) return;
      const comment = $<HTMLTextAreaElement>('comment').value;
      const r = (await chrome.runtime.sendMessage({ type: 'report', url: st.url, expected, comment })) as ReportAnswer;
      $('report-result').textContent = r.ok ? 'Thank you: report received.' : `Could not send: ${r.error ?? 'unknown error'}`;
      $('report-result').dataset.ok = String(r.ok);
    });
  }
  document.body.dataset.ready = 'true';
}

void show();
