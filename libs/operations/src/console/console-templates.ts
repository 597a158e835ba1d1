// The console's pages: Swedish first, English beside it (lang="en", so screen readers switch
// voice). No scripts and no inline styles: the Content-Security-Policy allows neither, and a
// page that works without JavaScript needs neither. Pages of work in progress reload through
// <meta http-equiv="refresh">.

const en = (text: string) => `<span class="en" lang="en">${text}</span>`;

/** A table heading cell: the Swedish word, the English one beneath it. */
const th = (sv: string, english: string, numeric = false) =>
  `<th scope="col"${numeric ? ' class="num"' : ''}>${sv}${en(english)}</th>`;

/**
 * The console's header and footer in the shared frame (@app/pages site-layout), with `frame`
 * in the context: `{{#> layout}}body{{/layout}}`.
 */
export const CONSOLE_HEADER = `<header class="top">
<a class="brand" href="{{frame.home}}">Flex HRM · Visma Connect <span class="product">Driftkonsol ${en('Operations console')}</span></a>
{{#if frame.signedIn}}<nav aria-label="Meny">
<a href="{{frame.home}}">Översikt ${en('Overview')}</a>
<a href="{{frame.users}}">Sök användare ${en('Find a user')}</a>
<form class="logout" method="post" action="{{frame.logout}}"><button type="submit">Logga ut ${en('Sign out')}</button></form>
</nav>{{/if}}
</header>
`;

export const CONSOLE_FOOTER = `<footer>Tider i svensk tid ${en('Times in Swedish time')} · Hämtad ${en('Loaded')} {{frame.renderedAt}}{{#if frame.refreshSeconds}} · Uppdateras var {{frame.refreshSeconds}}:e sekund ${en('Updates every {{frame.refreshSeconds}} s')}{{/if}}</footer>
`;

export const CONSOLE_PARTIALS = {
  badge: `<span class="badge tone-{{badge.tone}}">{{badge.sv}} ${en('{{badge.en}}')}</span>`,

  time: `{{#if time}}<time datetime="{{time.iso}}">{{time.text}}</time>{{else}}–{{/if}}`,

  progress: `<div class="progress">{{#if progress.max}}<progress max="{{progress.max}}" value="{{progress.value}}" aria-label="Förlopp">{{progress.text}}</progress>{{else}}<progress aria-label="Förlopp">{{progress.text}}</progress>{{/if}}<span class="progress-text">{{progress.text}}</span></div>`,

  empty: `<p class="empty">{{sv}} ${en('{{en}}')}</p>`,

  lookup: `<form class="lookup" method="get" action="{{frame.users}}">
<label>Kund ${en('Tenant')}<input name="tenantId" required maxlength="200" autocomplete="off" value="{{lookup.tenantId}}"></label>
<label>Användar-ID ${en('User id')}<input name="userId" required maxlength="200" autocomplete="off" value="{{lookup.userId}}"></label>
<button class="button" type="submit">Visa ${en('Show')}</button>
</form>`,

  requestTable: `{{#if rows.length}}<div class="table-wrap"><table>
<thead><tr>${th('Utskick', 'Request')}${th('Kund', 'Tenant')}${th('Fas', 'Phase')}${th('Delar', 'Parts', true)}${th('Användare', 'Requested', true)}${th('Skickade', 'Sent', true)}${th('Misslyckade', 'Failed', true)}${th('Hoppade över', 'Skipped', true)}${th('Förlopp', 'Progress')}</tr></thead>
<tbody>
{{#each rows}}<tr><td><a href="{{href}}" title="{{requestId}}"><code class="id">{{requestId}}</code></a></td><td>{{tenantId}}</td><td>{{> badge badge=phase}}</td><td class="num">{{parts}}</td><td class="num">{{requested}}</td><td class="num">{{sent}}</td><td class="num">{{failed}}</td><td class="num">{{skipped}}</td><td>{{> progress progress=progress}}</td></tr>
{{/each}}</tbody>
</table></div>{{else}}{{> empty sv=emptySv en=emptyEn}}{{/if}}`,

  importTable: `{{#if rows.length}}<div class="table-wrap"><table>
<thead><tr>${th('Import', 'Import')}${th('Kund', 'Tenant')}${th('Fas', 'Phase')}${th('Rader', 'Rows', true)}${th('Uppdaterade', 'Updated', true)}${th('Oförändrade', 'Unchanged', true)}${th('Avvisade', 'Rejected', true)}${th('Förlopp', 'Progress')}</tr></thead>
<tbody>
{{#each rows}}<tr><td><a href="{{href}}" title="{{importId}}"><code class="id">{{importId}}</code></a></td><td>{{tenantId}}</td><td>{{> badge badge=phase}}</td><td class="num">{{rows}}</td><td class="num">{{updated}}</td><td class="num">{{unchanged}}</td><td class="num">{{rejected}}</td><td>{{> progress progress=progress}}</td></tr>
{{/each}}</tbody>
</table></div>{{else}}{{> empty sv=emptySv en=emptyEn}}{{/if}}`,

  figures: `<dl class="figures">{{#each figures}}<div><dt>{{sv}}${en('{{en}}')}</dt><dd>{{value}}</dd></div>{{/each}}</dl>`,

  reasons: `<table class="reasons">
<thead><tr>${th('Orsak', 'Reason')}${th('Kod', 'Code')}${th('Antal', 'Count', true)}</tr></thead>
<tbody>
{{#each reasons}}<tr{{#if zero}} class="zero"{{/if}}><td>{{sv}} ${en('{{en}}')}</td><td><code>{{code}}</code></td><td class="num">{{count}}</td></tr>
{{/each}}</tbody>
</table>`,
} as const;

const OVERVIEW = `{{#> layout}}
<div class="heading"><h1>Översikt ${en('Overview')}</h1><a class="toggle" href="{{live.href}}">{{live.sv}} ${en('{{live.en}}')}</a></div>
<ul class="tiles">
{{#each tiles}}<li class="tile tone-{{tone}}"><span class="tile-value">{{value}}</span><span class="tile-label">{{sv}}${en('{{en}}')}</span></li>
{{/each}}</ul>
<section>
<h2>Pågående utskick ${en('Requests in progress')}</h2>
{{> requestTable rows=requestsInProgress emptySv="Inga utskick pågår." emptyEn="No request is in progress."}}
<h2>Avslutade utskick ${en('Finished requests')}</h2>
{{> requestTable rows=requestsFinished emptySv="Inga avslutade utskick ännu." emptyEn="No finished requests yet."}}
</section>
<section>
<h2>Pågående importer ${en('Imports in progress')}</h2>
{{> importTable rows=importsInProgress emptySv="Ingen import pågår." emptyEn="No import is in progress."}}
<h2>Avslutade importer ${en('Finished imports')}</h2>
{{> importTable rows=importsFinished emptySv="Inga avslutade importer ännu." emptyEn="No finished imports yet."}}
</section>
<section>
<h2>Döda meddelanden (DLQ) ${en('Dead letters')}</h2>
{{#if deadLetters.readable}}{{#if deadLetters.topics.length}}<div class="table-wrap"><table class="narrow">
<thead><tr>${th('Ämne', 'Topic')}${th('Meddelanden', 'Messages', true)}</tr></thead>
<tbody>
{{#each deadLetters.topics}}<tr><td><a href="{{href}}"><code>{{topic}}</code></a></td><td class="num">{{messages}}</td></tr>
{{/each}}</tbody>
</table></div>{{else}}{{> empty sv="Inga döda meddelanden." en="No dead letters."}}{{/if}}{{else}}<p class="notice">Kafka svarade inte, så döda meddelanden kunde inte räknas just nu. ${en('Kafka did not answer; dead letters could not be counted just now.')}</p>{{/if}}
</section>
<section>
<h2>Sök användare ${en('Find a user')}</h2>
{{> lookup}}
</section>
{{/layout}}`;

const REQUEST = `{{#> layout}}
<p class="crumbs"><a href="{{frame.home}}">Översikt ${en('Overview')}</a></p>
<div class="heading"><h1>Utskick ${en('Request')} <code>{{requestId}}</code></h1>{{> badge badge=phase}}</div>
<p class="meta">Kund ${en('Tenant')} <strong>{{tenantId}}</strong>{{#if completedAt}} · Klar ${en('Completed')} {{> time time=completedAt}}{{/if}}</p>
{{> progress progress=progress}}
{{> figures}}
<h2>Hoppade över per orsak ${en('Skipped by reason')}</h2>
{{> reasons reasons=skips}}
{{/layout}}`;

const IMPORT = `{{#> layout}}
<p class="crumbs"><a href="{{frame.home}}">Översikt ${en('Overview')}</a></p>
<div class="heading"><h1>Import <code>{{importId}}</code></h1>{{> badge badge=phase}}</div>
<p class="meta">Kund ${en('Tenant')} <strong>{{tenantId}}</strong> · Startad ${en('Started')} {{> time time=startedAt}} · Klar ${en('Completed')} {{> time time=completedAt}}</p>
{{> progress progress=progress}}
{{> figures}}
{{#if failure}}<div class="failure"><h2>Varför importen misslyckades ${en('Why the import failed')}</h2><p><code>{{failure.code}}</code> {{failure.message}}</p></div>{{/if}}
<h2>Avvisade per orsak ${en('Rejected by reason')}</h2>
{{#if reasons}}{{> reasons reasons=reasons}}{{else}}{{> empty sv="Orsakerna räknas när importen är klar." en="Reasons are counted when the import has finished."}}{{/if}}
{{#if reportUri}}<h2>Rapport ${en('Report')}</h2><p class="uri"><code>{{reportUri}}</code></p>{{/if}}
{{#if mailRequest}}<h2>Verifieringsmejl ${en('Verification mails')}</h2><p>Skickade i utskick ${en('Sent in request')} <a href="{{mailRequest.href}}"><code>{{mailRequest.requestId}}</code></a></p>{{/if}}
{{/layout}}`;

const USER = `{{#> layout}}
{{> lookup}}
<div class="heading"><h1>Användare ${en('User')} <code>{{userId}}</code></h1>{{#if user}}{{> badge badge=user.status}}{{/if}}</div>
<p class="meta">Kund ${en('Tenant')} <strong>{{tenantId}}</strong>{{#if user}} · Adress ${en('Address')} <strong>{{#if user.maskedEmail}}{{user.maskedEmail}}{{else}}ingen ${en('none')}{{/if}}</strong>{{/if}}</p>
{{#if user}}<dl class="figures times">{{#each user.facts}}<div><dt>{{sv}}${en('{{en}}')}</dt><dd>{{> time time=time}}</dd></div>{{/each}}</dl>
{{else}}<p class="notice">Inget sparat tillstånd för användaren, bara historik. ${en('No saved state for this user, history only.')}</p>{{/if}}
<h2>Historik ${en('Timeline')}</h2>
{{#if entries.length}}<div class="table-wrap"><table class="timeline">
<thead><tr>${th('Tid', 'When')}${th('Händelse', 'What happened')}${th('Resultat', 'Outcome')}${th('Utskick', 'Request')}</tr></thead>
<tbody>
{{#each entries}}<tr><td class="when">{{> time time=time}}</td><td>{{sv}}${en('{{en}}')}</td><td>{{#if badge}}{{> badge badge=badge}}{{/if}}</td><td>{{#if request}}<a href="{{request.href}}"><code>{{request.requestId}}</code></a>{{/if}}</td></tr>
{{/each}}</tbody>
</table></div>{{else}}{{> empty sv="Inget har hänt användaren ännu." en="Nothing has happened to this user yet."}}{{/if}}
{{/layout}}`;

const USER_LOOKUP = `{{#> layout}}
<h1>Sök användare ${en('Find a user')}</h1>
{{#if notFound}}<p class="notice">Inget finns registrerat om användaren <code>{{userId}}</code> hos kunden <code>{{tenantId}}</code>. ${en('Nothing is recorded about this user for this tenant.')}</p>{{/if}}
{{> lookup}}
{{/layout}}`;

const DEAD_LETTERS = `{{#> layout}}
<p class="crumbs"><a href="{{frame.home}}">Översikt ${en('Overview')}</a></p>
<h1>Döda meddelanden ${en('Dead letters')} <code>{{sourceTopic}}</code></h1>
<p class="meta">Ämne ${en('Topic')} <code>{{topic}}</code> · Lästa ${en('Read')} <strong>{{read}}</strong>{{#if truncated}} · Visar de senaste ${en('Showing the latest')} <strong>{{shown}}</strong>{{/if}}</p>
<p class="hint">Lästa utan att flytta någon konsuments position. Efter en rättning skickas de tillbaka med kommandoraden: ${en('Read without moving any consumer. After a fix, replay them from the command line:')}<code class="command">npx connect-ops dlq replay {{sourceTopic}}</code></p>
<h2>Per felkod ${en('By error code')}</h2>
{{#if byCode.length}}<table class="narrow">
<thead><tr>${th('Felkod', 'Error code')}${th('Antal', 'Count', true)}</tr></thead>
<tbody>
{{#each byCode}}<tr><td><code>{{code}}</code></td><td class="num">{{count}}</td></tr>
{{/each}}</tbody>
</table>{{else}}{{> empty sv="Inga döda meddelanden." en="No dead letters."}}{{/if}}
{{#if letters.length}}<h2>Meddelanden ${en('Messages')}</h2>
<div class="table-wrap"><table class="letters">
<thead><tr>${th('Position', 'Where')}${th('Lagt åt sidan', 'Dead-lettered')}${th('Felkod', 'Error code')}${th('Felmeddelande', 'Error message')}${th('Händelse', 'Event')}${th('Först läst', 'First read at')}</tr></thead>
<tbody>
{{#each letters}}<tr><td><code>{{where}}</code></td><td class="when">{{> time time=at}}</td><td><code>{{code}}</code></td><td class="message">{{message}}</td><td>{{#if event}}{{event.type}}<br><code>{{event.id}}</code>{{else}}–{{/if}}</td><td><code>{{original}}</code></td></tr>
{{/each}}</tbody>
</table></div>{{/if}}
{{/layout}}`;

const LOGIN = `{{#> layout}}
<h1>Logga in ${en('Sign in')}</h1>
<p>Driftkonsolen visar utskick, importer och döda meddelanden. Den kräver operatörsnyckeln. ${en('The operations console shows requests, imports and dead letters. It needs the operator token.')}</p>
{{#if refused}}<p class="notice" role="alert">Fel nyckel. Försök igen. ${en('Wrong token. Try again.')}</p>{{/if}}
<form class="login" method="post" action="{{frame.login}}">
<input type="hidden" name="next" value="{{next}}">
<label for="token">Operatörsnyckel ${en('Operator token')}</label>
<input id="token" name="token" type="password" required autocomplete="current-password" autofocus>
<button class="button" type="submit">Logga in ${en('Sign in')}</button>
</form>
{{/layout}}`;

function messagePage(sv: string, svText: string, english: string, englishText: string): string {
  return `{{#> layout}}
<h1>${sv} ${en(english)}</h1>
<p>${svText}</p>
<p lang="en" class="en-block">${englishText}</p>
{{#if frame.signedIn}}<p><a href="{{frame.home}}">Till översikten ${en('To the overview')}</a></p>{{/if}}
{{/layout}}`;
}

export const CONSOLE_SOURCES = {
  overview: OVERVIEW,
  request: REQUEST,
  import: IMPORT,
  user: USER,
  user_lookup: USER_LOOKUP,
  dead_letters: DEAD_LETTERS,
  login: LOGIN,
  not_found: messagePage(
    'Finns inte',
    'Det finns inget med den adressen: utskicket, importen eller ämnet är okänt.',
    'Not found',
    'There is nothing at this address: the request, import or topic is not known.',
  ),
  too_many_requests: messagePage(
    'För många försök',
    'För många inloggningsförsök från din anslutning. Vänta en minut och försök igen.',
    'Too many attempts',
    'Too many sign-in attempts from your connection. Wait a minute and try again.',
  ),
  too_large: messagePage(
    'För mycket data',
    'Formuläret var större än konsolen tar emot. Gå tillbaka och försök igen.',
    'Too much data',
    'The form was larger than the console accepts. Go back and try again.',
  ),
  unavailable: messagePage(
    'Kan inte läsa just nu',
    'Databasen eller Kafka svarar inte. Försök igen om en stund.',
    'Cannot read just now',
    'The database or Kafka does not answer. Try again in a while.',
  ),
  error: messagePage(
    'Något gick fel',
    'Sidan kunde inte visas. Försök igen om en stund.',
    'Something went wrong',
    'The page could not be shown. Try again in a while.',
  ),
} as const;
