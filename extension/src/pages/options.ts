/** The options page: gateway URL, API key, privacy mode; the hosts remembered by "continue anyway". */
import { DEFAULT_SETTINGS, type Settings } from '../core/types.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function load(): Promise<void> {
  const got = await chrome.storage.local.get(['settings', 'allowedHosts']);
  const s: Settings = { ...DEFAULT_SETTINGS, ...(got.settings as Partial<Settings> | undefined) };
  $<HTMLInputElement>('gatewayUrl').value = s.gatewayUrl;
  $<HTMLInputElement>('apiKey').value = s.apiKey;
  $<HTMLInputElement>('privacyMode').checked = s.privacyMode;
  $<HTMLInputElement>('privacySendToModel').checked = s.privacySendToModel;
  const hosts = (got.allowedHosts as string[] | undefined) ?? [];
  $('hosts').replaceChildren(...hosts.map((h) => Object.assign(document.createElement('li'), { textContent: h })));
}

$('form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const settings: Settings = {
    gatewayUrl: $<HTMLInputElement>('gatewayUrl').value.trim(),
    apiKey: $<HTMLInputElement>('apiKey').value.trim(),
    privacyMode: $<HTMLInputElement>('privacyMode').checked,
    privacySendToModel: $<HTMLInputElement>('privacySendToModel').checked,
  };
  await chrome.storage.local.set({ settings });
  $('saved').textContent = 'Saved.';
});
$('forget').addEventListener('click', async () => {
  await chrome.storage.local.remove('allowedHosts');
  await load();
});

void load();
