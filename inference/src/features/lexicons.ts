/**
 * Word lists used by the `url-lexical/v1` feature set. They are part of the feature set's definition: changing any
 * list changes the features, so it needs a new feature-set id (`url-lexical/v2`) and a retrained model.
 *
 * Sources: brand list from the most-impersonated brands in APWG Phishing Activity Trends reports (2019–2024) and
 * Check Point / Vade brand-phishing rankings; keywords from Garera et al. "A Framework for Detection and Measurement of
 * Phishing Attacks" (WORM 2007) and PhishTank URL studies; shorteners from the public URL-shortener lists
 * (e.g. the `url-shorteners` list used by uBlock filter authors); abused TLDs from Spamhaus' "most abused TLDs" and
 * Interisle's Phishing Landscape reports (2021–2024); free-hosting suffixes from the same reports, for hosts that the
 * Public Suffix List's private section does not already cover.
 */

/** Brand token → the registered domains (eTLD+1) the brand really operates. Tokens are lowercase ASCII. */
export const BRANDS: Readonly<Record<string, readonly string[]>> = {
  paypal: ['paypal.com', 'paypal.me', 'paypalobjects.com'],
  apple: ['apple.com', 'icloud.com'],
  icloud: ['icloud.com', 'apple.com'],
  itunes: ['itunes.com', 'apple.com'],
  microsoft: ['microsoft.com', 'live.com', 'microsoftonline.com', 'office.com'],
  office365: ['office.com', 'microsoft.com', 'office365.com'],
  outlook: ['outlook.com', 'live.com', 'office.com'],
  onedrive: ['onedrive.com', 'live.com'],
  sharepoint: ['sharepoint.com'],
  hotmail: ['hotmail.com', 'live.com'],
  google: ['google.com', 'googleusercontent.com', 'gstatic.com', 'google.co.uk', 'google.de'],
  gmail: ['gmail.com', 'google.com'],
  facebook: ['facebook.com', 'fb.com', 'facebook.net'],
  instagram: ['instagram.com'],
  whatsapp: ['whatsapp.com', 'whatsapp.net'],
  amazon: ['amazon.com', 'amazon.co.uk', 'amazon.de', 'amazon.co.jp', 'amazonaws.com', 'amazon.in'],
  netflix: ['netflix.com'],
  ebay: ['ebay.com', 'ebay.co.uk', 'ebay.de', 'ebaystatic.com'],
  chase: ['chase.com'],
  wellsfargo: ['wellsfargo.com'],
  bankofamerica: ['bankofamerica.com'],
  citibank: ['citibank.com', 'citi.com'],
  hsbc: ['hsbc.com', 'hsbc.co.uk'],
  santander: ['santander.com', 'santander.co.uk', 'santander.com.br'],
  barclays: ['barclays.co.uk', 'barclays.com'],
  natwest: ['natwest.com'],
  lloyds: ['lloydsbank.com'],
  dhl: ['dhl.com', 'dhl.de'],
  fedex: ['fedex.com'],
  usps: ['usps.com'],
  dropbox: ['dropbox.com'],
  docusign: ['docusign.com', 'docusign.net'],
  adobe: ['adobe.com'],
  linkedin: ['linkedin.com'],
  yahoo: ['yahoo.com', 'yahoo.co.jp'],
  aol: ['aol.com'],
  steam: ['steampowered.com', 'steamcommunity.com'],
  binance: ['binance.com'],
  coinbase: ['coinbase.com'],
  metamask: ['metamask.io'],
  blockchain: ['blockchain.com'],
  americanexpress: ['americanexpress.com'],
  amex: ['americanexpress.com'],
  visa: ['visa.com'],
  mastercard: ['mastercard.com'],
  sparkasse: ['sparkasse.de'],
  postbank: ['postbank.de'],
  itau: ['itau.com.br'],
  bradesco: ['bradesco.com.br'],
  caixa: ['caixa.gov.br'],
  bancobrasil: ['bb.com.br', 'bancobrasil.com.br'],
  nab: ['nab.com.au'],
  westpac: ['westpac.com.au'],
  desjardins: ['desjardins.com'],
  interac: ['interac.ca'],
  ameli: ['ameli.fr'],
  orange: ['orange.fr', 'orange.com'],
  att: ['att.com', 'att.net'],
  verizon: ['verizon.com'],
  twitter: ['twitter.com', 'x.com'],
  tiktok: ['tiktok.com'],
  telegram: ['telegram.org'],
  roblox: ['roblox.com'],
  spotify: ['spotify.com'],
  wetransfer: ['wetransfer.com'],
  irs: ['irs.gov'],
  alibaba: ['alibaba.com'],
  aliexpress: ['aliexpress.com'],
  walmart: ['walmart.com'],
  usaa: ['usaa.com'],
  rakuten: ['rakuten.co.jp', 'rakuten.com'],
  mufg: ['mufg.jp'],
};

/** Brand tokens, longest first (so "office365" matches before "office"). */
export const BRAND_TOKENS: readonly string[] = Object.keys(BRANDS).sort((a, b) => b.length - a.length);

/**
 * Words that phishing URLs use to look like account flows. Matched as substrings of lowercased host labels and path.
 * Source: Garera et al. 2007 (WORM), "Table 2: keywords"; extended with common 2015–2023 PhishTank terms.
 */
export const SENSITIVE_WORDS: readonly string[] = [
  'login', 'logon', 'signin', 'sign-in', 'verify', 'verification', 'account', 'update', 'secure', 'security',
  'banking', 'confirm', 'password', 'webscr', 'cmd=', 'ebayisapi', 'wallet', 'recover', 'unlock', 'suspend',
  'billing', 'invoice', 'authenticate', 'auth', 'validate', 'credential', 'support', 'customer', 'alert',
  'limited', 'restore', 'reactivat', 'payment', 'refund', 'claim', 'bonus', 'free', 'gift', 'prize', 'webmail',
  'mailbox', 'helpdesk', 'admin', 'service', 'client', 'session', 'token', 'identity', 'kyc', 'seed', 'airdrop',
];

/** URL-shortener hosts (registered domain or full host). Source: public shortener lists, 2023. */
export const SHORTENERS: ReadonlySet<string> = new Set([
  'bit.ly', 'bitly.com', 'goo.gl', 'tinyurl.com', 't.co', 'ow.ly', 'is.gd', 'buff.ly', 'adf.ly', 'bit.do', 'cutt.ly',
  'shorturl.at', 'rb.gy', 'rebrand.ly', 'tiny.cc', 'tr.im', 'v.gd', 'x.co', 'lnkd.in', 'db.tt', 'qr.ae', 'po.st',
  'bc.vc', 'twitthis.com', 'u.to', 'j.mp', 'buzurl.com', 'cur.lv', 'ity.im', 'q.gs', 'soo.gd', 's2r.co', 'clicky.me',
  'budurl.com', 'prettylinkpro.com', 'scrnch.me', 'filoops.info', 'vzturl.com', 'qr.net', '1url.com', 'tweez.me',
  'v.ht', 'link.zip.net', 'snip.ly', 'shorte.st', 'ouo.io', 'urlz.fr', 't.ly', 'short.io', 'tiny.one', 'shrtco.de',
  's.id', 'surl.li', 'urlr.me', 'mcaf.ee', 'su.pr', 'fb.me', 'youtu.be', 'amzn.to', 'wp.me', 'ift.tt', 'dlvr.it',
]);

/**
 * Suffixes of free hosting / site builders / file shares abused for phishing that the Public Suffix List's private
 * section does not list (hosts under PSL private suffixes such as `github.io` or `web.app` are detected via tldts).
 * Source: Interisle Phishing Landscape 2021–2024, "subdomain resellers and free hosting".
 */
export const FREE_HOSTING: ReadonlySet<string> = new Set([
  '000webhostapp.com', 'weebly.com', 'wixsite.com', 'wix.com', 'yolasite.com', 'webnode.com', 'jimdo.com',
  'jimdosite.com', 'godaddysites.com', 'square.site', 'mystrikingly.com', 'strikingly.com', 'sites.google.com',
  'docs.google.com', 'forms.gle', 'typeform.com', 'jotform.com', 'formstack.com', 'wufoo.com', 'sharepoint.com',
  'onedrive.live.com', '1drv.ms', 'dropboxusercontent.com', 'firebaseapp.com', 'web.app', 'glitch.me', 'repl.co',
  'replit.dev', 'netlify.app', 'vercel.app', 'herokuapp.com', 'pages.dev', 'workers.dev', 'github.io', 'gitbook.io',
  'blogspot.com', 'wordpress.com', 'tumblr.com', 'myshopify.com', 'ngrok.io', 'ngrok-free.app', 'azurewebsites.net',
  'windows.net', 'appspot.com', 'cloudfront.net', 'amazonaws.com', 'backblazeb2.com', 'ipfs.io', 'dweb.link',
  'webflow.io', 'carrd.co', 'notion.site', 'bitbucket.io', 'surge.sh', 'freenom.com', 'byethost.com', 'epizy.com', 'rf.gd', 'infinityfreeapp.com', 'hostinger.com', 'mybluehost.me',
  'atwebpages.com', 'altervista.org', 'ucoz.ru', 'narod.ru', 'tripod.com', 'angelfire.com', 'freehostia.com',
]);

/**
 * TLDs with high phishing-domain rates relative to their size. Source: Spamhaus "most abused TLDs" (2020–2024) and
 * Interisle Phishing Landscape (2021–2024). A prior, not a verdict: most domains under them are benign.
 */
export const ABUSED_TLDS: ReadonlySet<string> = new Set([
  'tk', 'ml', 'ga', 'cf', 'gq', 'xyz', 'top', 'buzz', 'icu', 'club', 'online', 'site', 'work', 'live', 'shop', 'info',
  'cn', 'ru', 'su', 'ws', 'cc', 'pw', 'biz', 'click', 'link', 'rest', 'fit', 'cyou', 'sbs', 'cfd', 'bond', 'monster',
  'support', 'today', 'space', 'fun', 'vip', 'win', 'loan', 'review', 'party', 'date', 'stream', 'gdn', 'men', 'ly',
  'zip', 'mov',
]);

/** File extensions of executables / archives served to victims. */
export const EXECUTABLE_EXTENSIONS: ReadonlySet<string> = new Set([
  'exe', 'scr', 'msi', 'bat', 'cmd', 'js', 'jar', 'apk', 'zip', 'rar', '7z', 'iso', 'vbs', 'ps1', 'dll', 'hta',
]);

/** Server-side script extensions (kits are usually PHP). */
export const SCRIPT_EXTENSIONS: ReadonlySet<string> = new Set(['php', 'asp', 'aspx', 'jsp', 'cgi', 'pl', 'py']);

/** Static page extensions. */
export const PAGE_EXTENSIONS: ReadonlySet<string> = new Set(['html', 'htm', 'shtml', 'xhtml']);
