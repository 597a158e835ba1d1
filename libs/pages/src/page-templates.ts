import { NEXT_STEP } from '@app/mail';

// Pages in Swedish first, with English beside them in a section marked lang="en" so screen
// readers switch voice. No scripts anywhere: every page works without JavaScript. The frame
// (`{{#> layout title=...}}`) is the shared one of site-layout.ts.

const askAdministrator = {
  sv: 'Be din administratör i Flex HRM att skicka ett nytt verifieringsmeddelande till dig.',
  en: 'Ask your Flex HRM administrator to send you a new verification message.',
};

const nextSteps = `<h2>${NEXT_STEP.sv.heading}</h2>
<ol>
<li>Öppna inloggningssidan.</li>
<li>${NEXT_STEP.sv.choose((text) => `<strong>${text}</strong>`)}</li>
<li>Logga sedan in i Flex HRM med din e-postadress och ditt nya lösenord.</li>
</ol>
<p><a class="button" href="{{loginUrl}}">Till inloggningssidan</a></p>`;

const nextStepsEnglish = `<p><strong>Next step:</strong> open the login page and choose ${NEXT_STEP.en.button} to create your password, then sign in to Flex HRM with your e-mail address and the new password.</p>`;

function problemPage(title: string, sv: string, enTitle: string, en: string): string {
  return `{{#> layout title="${title}"}}
<h1>${title}</h1>
<p>${sv}</p>
<section class="english" lang="en">
<h2>${enTitle}</h2>
<p>${en}</p>
</section>
{{/layout}}`;
}

export const PAGE_SOURCES = {
  confirm: `{{#> layout title="Verifiera e-postadress"}}
<h1>Verifiera din e-postadress</h1>
<p>Flex HRM har fått en ny inloggning: <strong>Visma Connect</strong>. Du är på väg att verifiera <strong>{{maskedEmail}}</strong> som din adress för inloggningen.</p>
<form method="post" action="">
<input type="hidden" name="_csrf" value="{{csrfToken}}">
<button class="button" type="submit">Verifiera e-postadress</button>
</form>
<p>Länken gäller till {{formatDate expiresAt "sv"}}.</p>
<section class="english" lang="en">
<h2>Verify your e-mail address</h2>
<p>Flex HRM has a new login, Visma Connect. You are about to verify {{maskedEmail}} as your address for it. Press “Verifiera e-postadress” (Verify e-mail address). The link is valid until {{formatDate expiresAt "en"}}.</p>
</section>
{{/layout}}`,

  verified: `{{#> layout title="E-postadressen är verifierad"}}
<h1>Klart! Din e-postadress är verifierad</h1>
<p>Din inloggning med Visma Connect aktiveras nu.</p>
${nextSteps}
<section class="english" lang="en">
<h2>Done: your e-mail address is verified</h2>
<p>Your Visma Connect login is being activated.</p>
${nextStepsEnglish}
</section>
{{/layout}}`,

  already_verified: `{{#> layout title="Redan verifierad"}}
<h1>Din e-postadress är redan verifierad</h1>
<p>Länken har redan använts, så du behöver inte göra något mer med den.</p>
${nextSteps}
<section class="english" lang="en">
<h2>Your e-mail address is already verified</h2>
<p>This link has already been used; there is nothing more to do with it.</p>
${nextStepsEnglish}
</section>
{{/layout}}`,

  link_unknown: problemPage(
    'Länken fungerar inte',
    `Länken är ogiltig. Kontrollera att du har öppnat hela länken från meddelandet. ${askAdministrator.sv}`,
    'The link does not work',
    `The link is not valid. Check that you opened the whole link from the message. ${askAdministrator.en}`,
  ),
  link_expired: problemPage(
    'Länken har gått ut',
    `Länken i meddelandet gällde bara en begränsad tid. ${askAdministrator.sv}`,
    'The link has expired',
    `The link in the message was valid for a limited time only. ${askAdministrator.en}`,
  ),
  link_voided: problemPage(
    'Länken gäller inte längre',
    `Länken har ersatts, till exempel för att e-postadressen har ändrats. Använd länken i det senaste meddelandet du har fått. ${askAdministrator.sv}`,
    'The link is no longer valid',
    `The link has been replaced, for example because the e-mail address was changed. Use the link in the latest message you received. ${askAdministrator.en}`,
  ),
  form_expired: problemPage(
    'Sidan behöver laddas om',
    'Formuläret kunde inte skickas, till exempel för att sidan var öppen länge eller cookies är avstängda. Öppna länken i meddelandet igen och tryck på knappen.',
    'Please reload the page',
    'The form could not be sent, for example because the page was open for a long time or cookies are turned off. Open the link in the message again and press the button.',
  ),
  too_many_requests: problemPage(
    'För många försök',
    'Det har kommit för många förfrågningar från din anslutning. Vänta en minut och försök igen.',
    'Too many attempts',
    'There have been too many requests from your connection. Wait a minute and try again.',
  ),
  too_large: problemPage(
    'För mycket data',
    'Förfrågan var större än sidan tar emot. Öppna länken i meddelandet igen och tryck på knappen.',
    'Too much data',
    'The request was larger than this page accepts. Open the link in the message again and press the button.',
  ),
  not_found: problemPage(
    'Sidan finns inte',
    'Adressen leder inte till någon sida. Öppna länken i meddelandet du har fått.',
    'Page not found',
    'This address does not lead to a page. Open the link in the message you received.',
  ),
  error: problemPage(
    'Något gick fel',
    'Det gick inte att visa sidan just nu. Försök igen om en stund; länken fungerar fortfarande.',
    'Something went wrong',
    'The page could not be shown right now. Try again in a while; the link still works.',
  ),
} as const;
