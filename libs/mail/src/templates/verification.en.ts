import type { MailTemplateSource } from '../mail-types';
import { NEXT_STEP } from './next-step';

const strong = (text: string) => `<strong>${text}</strong>`;

// English translation of the verification mail, with a short Swedish summary at the bottom.
// The login page is Swedish, so the next step names its button in Swedish as well (R4).

const button = `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 16px;">
<tr>
<td style="border-radius:4px;background-color:#0b5cad;">
<a href="{{verifyUrl}}" style="display:inline-block;padding:12px 24px;border:2px solid #0b5cad;border-radius:4px;font-family:Arial,Helvetica,sans-serif;font-size:16px;font-weight:bold;color:#ffffff;text-decoration:none;">Verify e-mail address</a>
</td>
</tr>
</table>`;

const footer = `You are receiving this message because an administrator{{#if companyName}} at {{companyName}}{{/if}} entered your e-mail address in Flex HRM for signing in with Visma Connect. If you did not expect this message, you can ignore it: nothing changes unless you use the link.`;

export const VERIFICATION_EN: MailTemplateSource = {
  subject: 'Verify your e-mail address for Visma Connect',

  html: `{{#> layout lang="en" title=subject preheader="Verify your e-mail address, then create your password with ${NEXT_STEP.en.button}."}}
{{#*inline "footer"}}${footer}{{/inline}}
<h1 style="margin:0 0 16px;font-size:22px;line-height:1.3;color:#12355b;">Verify your e-mail address</h1>
<p style="margin:0 0 16px;">{{#if displayName}}Hello {{displayName}},{{else}}Hello,{{/if}}</p>
<p style="margin:0 0 16px;">Flex HRM has a new login: <strong>Visma Connect</strong>. With Visma Connect you sign in to Flex HRM with your e-mail address and a password of your own.</p>
<p style="margin:0 0 16px;">An administrator{{#if companyName}} at {{companyName}}{{/if}} has entered <strong>{{email}}</strong> as your address for Visma Connect. Please confirm that the address is yours:</p>
${button}
<p style="margin:0 0 16px;">Button not working? Copy the link and paste it into your browser:<br><a href="{{verifyUrl}}" style="color:#0b5cad;word-break:break-all;">{{verifyUrl}}</a></p>
<p style="margin:0 0 24px;">The link is valid until <strong>{{formatDate expiresAt "en"}}</strong> and can be used only once.</p>
<h2 style="margin:0 0 8px;font-size:18px;line-height:1.3;color:#12355b;">${NEXT_STEP.en.heading}</h2>
<ol style="margin:0 0 24px;padding-left:24px;">
<li style="margin-bottom:8px;">Open the link above and press the button on the page that appears. This verifies the address and activates your Visma Connect login.</li>
<li style="margin-bottom:8px;">Then go to the login page: <a href="{{loginUrl}}" style="color:#0b5cad;word-break:break-all;">{{loginUrl}}</a></li>
<li style="margin-bottom:8px;">${NEXT_STEP.en.choose(strong)} The login page is in Swedish.</li>
</ol>
<div lang="sv" style="margin:0;padding:16px 0 0;border-top:1px solid #e5e7eb;font-size:14px;color:#374151;">
<p style="margin:0;"><strong>På svenska:</strong> Flex HRM har en ny inloggning, Visma Connect. En administratör har angett {{email}} som din e-postadress. Verifiera den med knappen eller länken ovan; länken gäller till {{formatDate expiresAt "sv"}}. Gå sedan till inloggningssidan (<a href="{{loginUrl}}" style="color:#0b5cad;word-break:break-all;">{{loginUrl}}</a>) och välj ${NEXT_STEP.sv.button} för att skapa ditt lösenord.</p>
</div>
{{/layout}}`,

  text: `{{#> textLayout}}
{{#*inline "footer"}}${footer}{{/inline}}
{{#if displayName}}Hello {{displayName}},{{else}}Hello,{{/if}}

Flex HRM has a new login: Visma Connect. With Visma Connect you sign in to Flex HRM with your e-mail address and a password of your own.

An administrator{{#if companyName}} at {{companyName}}{{/if}} has entered {{email}} as your address for Visma Connect. Please confirm that the address is yours by opening this link:

{{verifyUrl}}

The link is valid until {{formatDate expiresAt "en"}} and can be used only once.

${NEXT_STEP.en.heading.toUpperCase()}

1. Open the link above and press the button on the page that appears. This verifies the address and activates your Visma Connect login.
2. Then go to the login page: {{loginUrl}}
3. ${NEXT_STEP.en.choose()} The login page is in Swedish.

På svenska: Flex HRM har en ny inloggning, Visma Connect. En administratör har angett {{email}} som din e-postadress. Verifiera den med länken ovan; länken gäller till {{formatDate expiresAt "sv"}}. Gå sedan till inloggningssidan ({{loginUrl}}) och välj ${NEXT_STEP.sv.button} för att skapa ditt lösenord.
{{/textLayout}}`,
};
