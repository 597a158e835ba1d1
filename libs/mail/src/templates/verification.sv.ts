import type { MailTemplateSource } from '../mail-types';
import { NEXT_STEP } from './next-step';

const strong = (text: string) => `<strong>${text}</strong>`;

// Swedish verification mail, with a short English summary at the bottom (users are Swedish
// first, English beside it). The next step names "Glömt ditt lösenord?" because that is how a
// verified user creates a password (R4).

const button = `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 16px;">
<tr>
<td style="border-radius:4px;background-color:#0b5cad;">
<a href="{{verifyUrl}}" style="display:inline-block;padding:12px 24px;border:2px solid #0b5cad;border-radius:4px;font-family:Arial,Helvetica,sans-serif;font-size:16px;font-weight:bold;color:#ffffff;text-decoration:none;">Verifiera e-postadressen</a>
</td>
</tr>
</table>`;

const footer = `Du får det här meddelandet eftersom en administratör{{#if companyName}} på {{companyName}}{{/if}} har angett din e-postadress i Flex HRM för inloggning med Visma Connect. Om du inte väntade dig meddelandet kan du bortse från det: ingenting ändras om du inte använder länken.`;

export const VERIFICATION_SV: MailTemplateSource = {
  subject: 'Verifiera din e-postadress för Visma Connect',

  html: `{{#> layout lang="sv" title=subject preheader="Verifiera din e-postadress och skapa sedan ditt lösenord via ${NEXT_STEP.sv.button}."}}
{{#*inline "footer"}}${footer}{{/inline}}
<h1 style="margin:0 0 16px;font-size:22px;line-height:1.3;color:#12355b;">Verifiera din e-postadress</h1>
<p style="margin:0 0 16px;">{{#if displayName}}Hej {{displayName}}!{{else}}Hej!{{/if}}</p>
<p style="margin:0 0 16px;">Flex HRM har fått en ny inloggning: <strong>Visma Connect</strong>. Med Visma Connect loggar du in i Flex HRM med din e-postadress och ett eget lösenord.</p>
<p style="margin:0 0 16px;">En administratör{{#if companyName}} på {{companyName}}{{/if}} har angett <strong>{{email}}</strong> som din adress för Visma Connect. Bekräfta att adressen är din:</p>
${button}
<p style="margin:0 0 16px;">Fungerar inte knappen? Kopiera länken och klistra in den i webbläsaren:<br><a href="{{verifyUrl}}" style="color:#0b5cad;word-break:break-all;">{{verifyUrl}}</a></p>
<p style="margin:0 0 24px;">Länken gäller till <strong>{{formatDate expiresAt "sv"}}</strong> och kan bara användas en gång.</p>
<h2 style="margin:0 0 8px;font-size:18px;line-height:1.3;color:#12355b;">${NEXT_STEP.sv.heading}</h2>
<ol style="margin:0 0 24px;padding-left:24px;">
<li style="margin-bottom:8px;">Öppna länken ovan och tryck på knappen på sidan som visas. Då verifieras adressen och din Visma Connect-inloggning aktiveras.</li>
<li style="margin-bottom:8px;">Gå sedan till inloggningssidan: <a href="{{loginUrl}}" style="color:#0b5cad;word-break:break-all;">{{loginUrl}}</a></li>
<li style="margin-bottom:8px;">${NEXT_STEP.sv.choose(strong)}</li>
</ol>
<div lang="en" style="margin:0;padding:16px 0 0;border-top:1px solid #e5e7eb;font-size:14px;color:#374151;">
<p style="margin:0;"><strong>In English:</strong> Flex HRM has a new login, Visma Connect. An administrator has entered {{email}} as your e-mail address. Verify it with the button or link above; the link is valid until {{formatDate expiresAt "en"}}. Then open the login page (<a href="{{loginUrl}}" style="color:#0b5cad;word-break:break-all;">{{loginUrl}}</a>) and choose ${NEXT_STEP.en.button} to create your password.</p>
</div>
{{/layout}}`,

  text: `{{#> textLayout}}
{{#*inline "footer"}}${footer}{{/inline}}
{{#if displayName}}Hej {{displayName}}!{{else}}Hej!{{/if}}

Flex HRM har fått en ny inloggning: Visma Connect. Med Visma Connect loggar du in i Flex HRM med din e-postadress och ett eget lösenord.

En administratör{{#if companyName}} på {{companyName}}{{/if}} har angett {{email}} som din adress för Visma Connect. Bekräfta att adressen är din genom att öppna länken:

{{verifyUrl}}

Länken gäller till {{formatDate expiresAt "sv"}} och kan bara användas en gång.

${NEXT_STEP.sv.heading.toUpperCase()}

1. Öppna länken ovan och tryck på knappen på sidan som visas. Då verifieras adressen och din Visma Connect-inloggning aktiveras.
2. Gå sedan till inloggningssidan: {{loginUrl}}
3. ${NEXT_STEP.sv.choose()}

In English: Flex HRM has a new login, Visma Connect. An administrator has entered {{email}} as your e-mail address. Verify it with the link above; the link is valid until {{formatDate expiresAt "en"}}. Then open the login page ({{loginUrl}}) and choose ${NEXT_STEP.en.button} to create your password.
{{/textLayout}}`,
};
