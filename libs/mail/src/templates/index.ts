import type { MailTemplateRegistry } from '../mail-types';
import { verificationTemplate } from './verification';

/** Every mail the product sends; the type makes a missing template a compile error. */
export const MAIL_TEMPLATES: MailTemplateRegistry = {
  verification: verificationTemplate,
};
