import type { MailTemplateDefinition, VerificationMailData } from '../mail-types';
import { VERIFICATION_EN } from './verification.en';
import { VERIFICATION_SV } from './verification.sv';

/** Blank optional text reads as absent, so "Hej !" can never happen. */
function optionalText(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** A link in a mail must be http(s): anything else (javascript:, file:) is a bug upstream. */
function webUrl(value: string, field: string): string {
  let protocol: string;
  try {
    protocol = new URL(value).protocol;
  } catch {
    throw new TypeError(`verification mail: ${field} is not a URL`);
  }
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw new TypeError(`verification mail: ${field} must be an http(s) URL`);
  }
  return value;
}

export const verificationTemplate: MailTemplateDefinition<VerificationMailData> = {
  sources: { sv: VERIFICATION_SV, en: VERIFICATION_EN },
  view: (data) => {
    if (Number.isNaN(data.expiresAt.getTime())) {
      throw new TypeError('verification mail: expiresAt is not a valid date');
    }
    return {
      displayName: optionalText(data.displayName),
      companyName: optionalText(data.companyName),
      email: data.email,
      verifyUrl: webUrl(data.verifyUrl, 'verifyUrl'),
      loginUrl: webUrl(data.loginUrl, 'loginUrl'),
      expiresAt: data.expiresAt,
    };
  },
  sample: {
    displayName: 'Åsa Öberg',
    email: 'asa.oberg@example.se',
    verifyUrl: 'https://provisioning.example.se/verify/3q2-7wEjv1QbU0l4Zt9XgA',
    expiresAt: new Date('2025-03-14T15:30:00Z'),
    loginUrl: 'https://flexhrm.example/login',
    companyName: 'Bröderna Ångström & Söner Fastighetsförvaltning i Västra Götaland AB',
  },
};
