import {
  type MailRenderer,
  type MailTransport,
  type OutgoingMail,
  mailLocaleOf,
  messageIdFor,
  verifyUrlFor,
} from '@app/mail';
import type {
  BeforeEnd,
  MailAnswer,
  VerificationMail,
  VerificationMailer,
} from '@app/verification';

export interface MailerSettings {
  from: string;
  publicBaseUrl: string;
  loginUrl: string;
  messageIdDomain: string;
}

/** The domain's mailer on the mail library: render, then send with the send's Message-ID. */
export class TemplateVerificationMailer implements VerificationMailer {
  constructor(
    private readonly renderer: MailRenderer,
    private readonly transport: MailTransport,
    private readonly settings: MailerSettings,
  ) {}

  async send(mail: VerificationMail, beforeEnd?: BeforeEnd): Promise<MailAnswer> {
    return this.prepare(mail)(beforeEnd);
  }

  prepare(mail: VerificationMail): (beforeEnd?: BeforeEnd) => Promise<MailAnswer> {
    const rendered = this.renderer.render('verification', mailLocaleOf(mail.locale), {
      email: mail.to,
      verifyUrl: verifyUrlFor(this.settings.publicBaseUrl, mail.token),
      expiresAt: mail.expiresAt,
      loginUrl: this.settings.loginUrl,
      ...(mail.displayName ? { displayName: mail.displayName } : {}),
    });
    const outgoing: OutgoingMail = {
      to: mail.to,
      from: this.settings.from,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
      messageId: messageIdFor(mail.sendId, this.settings.messageIdDomain),
    };
    return (beforeEnd) => this.deliver(outgoing, beforeEnd);
  }

  private async deliver(outgoing: OutgoingMail, beforeEnd?: BeforeEnd): Promise<MailAnswer> {
    try {
      await this.transport.send(outgoing, beforeEnd ? { beforeEnd } : {});
      return 'sent';
    } catch (error) {
      // A 5xx answer is final for this address; anything else may work later (retried).
      const code = (error as { responseCode?: unknown }).responseCode;
      if (typeof code === 'number' && code >= 500) return { rejected: `SMTP ${code}` };
      throw error;
    }
  }
}
