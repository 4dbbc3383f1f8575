/**
 * Word lists added by the `url-lexical/v2` feature set (`url-lexical-v2.ts`). Part of the feature set's definition:
 * changing any list changes the features, so it needs a new feature-set id and a retrained model.
 *
 * Sources: `DICTIONARY` is a hand-picked list of common English words (the most frequent nouns, verbs and adjectives
 * of general English, plus words frequent in names of web sites, shops, blogs and services); it deliberately keeps the
 * words phishing domains glue together (secure, login, account, verify, support…) because segmentation should find
 * them. `DDNS_SUFFIXES` are dynamic-DNS providers' public zones (the providers' own domain lists); `EDGE_HOSTING_SUFFIXES`
 * are app, edge and static-site hosting zones named in Interisle's Phishing Landscape reports (2023–2025) and in
 * PhishTank 2025 (`shared/data/README.md`). Non-English words are not in the dictionary: a known limit (models/MODEL_CARD.md).
 */

/** Lowercase ASCII words of 3..12 letters used for dictionary segmentation of domain labels. */
export const DICTIONARY: readonly string[] = `
about above access account acme act action active actor add address admin adult advance advice affair after again
agency agent air alert all alliance alpha always amazing analysis and angel animal answer any app apple apply apps
area arena army art article artist arts asia ask asset assist atlas audio auth auto autumn avenue award away baby
back bag bake baker bakery balance ball band bank banking bar base basic bay beach bean bear beat beauty bed bee
beer bell best beta better big bike bill billing bio bird bit black blade blank blog blue board boat body bond book
books boost boot border boss bottle box boy brain brand bread break bridge bright bring broad brother brown budget
build builder bus business buy cafe cake call camera camp campus can candle capital car card care career cargo cars
case cash cast castle cat catch cell center central chain chair challenge change channel charge chat cheap check
chef chess chicken child china choice church circle city claim class clean clear click client climb clinic clock
close cloud club coach coast code coffee coin cold college color come comfort common company compare complete
computer confirm connect consult contact control cook cool copy core corner cost cottage count country county
course court cover craft crazy create creative credit crew cross crowd crypto cube culture cup cure custom customer
cut cyber daily dance dark data date day deal dear deep delivery demo dental design desk dev develop device diary
digital dinner direct discount disk doc doctor dog dollar domain door dot double down download dragon draw dream
dress drink drive drop dry duck each eagle earth east easy eat echo eco edge edit education effect egg elite email
end energy engine enjoy enter entry equity escape estate euro event every exchange expert express extra eye face
fact factory fair faith fall family fan farm fashion fast father feed field file film final finance find fine fire
firm first fish fit fix flag flash fleet flight floor flow flower fly focus folk food foot force forest forever form
forum found fox frame free fresh friend front fruit fuel fun fund future gallery game games garden gate gear general
get gift girl give glass global globe goal gold golf good graph great green grid ground group grow guard guide guitar
gym hair half hall hand happy harbor hard hat head health heart heat help helpdesk here hero high hill hire history
hit hold holiday home honey hope horse host hot hotel house hub human hunt idea image impact index info inn inside
insight invest invoice iron island item jack jet job join journal joy jump just key kid kids kind king kit kitchen
know lab lady lake land lane language large last late law lead leaf learn legal lemon less letter level life light
like lime line link lion list little live loan local lock log login logon long look loop lord lost lotus love low
luck lucky machine mad magic mail main make mall man manager map maple market marketing mart master match matrix
max media medical meet member menu metal meta method metro micro middle mile mill mind mine mini mint mission mobile
mode model modern moment money monitor moon more morning mother motion motor mountain mouse move movie much music
my name nation native natural nature net network new news next nice night nine noble north note nova now number
nurse oak ocean office official oil old one online only open option orange order organic origin our out outdoor
owl own pack page paint pair palace palm panel paper park part partner party pass password past path pay payment
peace peak pearl pen people pepper perfect pet phone photo piano pick picture piece pilot pine pink pixel pizza
place plan planet plant plate play plaza plus pocket point polo pool pop port portal post power press prime print
pro product profile project proof property protect pub pulse pure purple quality quest quick quiet race radio rain
range rapid rate raw ready real recover red refund region relax release remote rent repair report rescue research
resort rest result retail return review rich ride right ring rise river road robot rock roof room root rose round
route royal rule run rush safe safety sale sales salt sand save school science score sea search season seat secure
security seed select sell send senior sense server service set seven shape share shield shine ship shoe shop shopping
short show side sign signin silver simple single site six size skill skin sky sleep slim small smart smile snow
social soft solar solid solution son song soul sound source south space spark speed spirit sport spot spring square
staff stage star start state station stay steel step stock stone stop store storm story street strong studio study
style success sugar suite summer sun super supply support sure surf sweet swift system table tag talk tax taxi tea
team tech ten term test text thank the theme think three ticket tiger time tiny tip today token tool top total touch
tour tower town toy track trade trader trading train transfer travel tree trend trip true trust try tube turbo twin
two union unique unit united unlock update upgrade urban user valid valley value van vault verify via video view
village vintage vision visit vista vital voice wall wallet want war warm wash watch water wave way wealth wear web
webmail week well west whale white wide wild win wind window wine wing winter wire wise wolf woman wood word work
world worth write yard year yellow yoga you young your zen zero zone
`.trim().split(/\s+/);

/** Dynamic-DNS zones: a host under one of these is a DDNS name anyone can register for free. */
export const DDNS_SUFFIXES: ReadonlySet<string> = new Set([
  'duckdns.org', 'ddns.net', 'no-ip.org', 'no-ip.biz', 'no-ip.info', 'noip.me', 'hopto.org', 'zapto.org', 'sytes.net',
  'servehttp.com', 'serveftp.com', 'myftp.biz', 'myftp.org', 'redirectme.net', 'servebeer.com', 'dynu.net', 'dynu.com',
  'freeddns.org', 'dyndns.org', 'dynv6.net', 'afraid.org', 'mooo.com', 'chickenkiller.com', 'ddnsking.com',
  'ddns.me', 'dns-dynamic.net', 'myddns.me', 'dnsalias.com', 'dnsalias.net', 'linkpc.net', 'publicvm.com', 'ooguy.com',
  'kozow.com', 'loseyourip.com', 'gotdns.ch', '3utilities.com', 'bounceme.net', 'webhop.me', 'ddnsfree.com',
]);

/**
 * App, edge and static-site hosting zones (serverless and CDN platforms, site builders): a host under one of these is
 * a free subdomain on a shared platform, whatever its name.
 */
export const EDGE_HOSTING_SUFFIXES: ReadonlySet<string> = new Set([
  'workers.dev', 'pages.dev', 'r2.dev', 'vercel.app', 'now.sh', 'netlify.app', 'netlify.com', 'web.app',
  'firebaseapp.com', 'github.io', 'gitlab.io', 'glitch.me', 'onrender.com', 'herokuapp.com', 'fly.dev', 'railway.app',
  'azurewebsites.net', 'azureedge.net', 'azurestaticapps.net', 'blob.core.windows.net', 'web.core.windows.net',
  'cloudfront.net', 'amplifyapp.com', 's3.amazonaws.com', 'appspot.com', 'run.app', 'replit.app', 'repl.co',
  'webflow.io', 'framer.app', 'framer.website', 'weebly.com', 'wixsite.com', 'godaddysites.com', 'square.site',
  'carrd.co', 'ipfs.io', 'dweb.link', 'storage.googleapis.com', 'firebasestorage.googleapis.com', 'surge.sh',
  'ngrok.io', 'ngrok-free.app', 'trycloudflare.com', 'codeanyapp.com', 'bubbleapps.io', 'wordpress.com', 'blogspot.com',
  'sites.google.com', 'my.canva.site', 'canva.site', 'notion.site', 'gitbook.io', 'teachable.com', 'myshopify.com',
]);
