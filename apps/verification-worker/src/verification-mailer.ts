import {
  type MailRenderer,
  type MailTransport,
  type OutgoingMail,
  mailLocaleOf,
  messageIdFor,
  verifyUrlFor,
} from '@app/mail';
import type {
  MailAnswer,
  MailHooks,
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

  async send(mail: VerificationMail, hooks?: MailHooks): Promise<MailAnswer> {
    return this.prepare(mail)(hooks);
  }

  prepare(mail: VerificationMail): (hooks?: MailHooks) => Promise<MailAnswer> {
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
    return (hooks) => this.deliver(outgoing, hooks);
  }

  private async deliver(outgoing: OutgoingMail, hooks: MailHooks = {}): Promise<MailAnswer> {
    try {
      await this.transport.send(outgoing, hooks);
      return 'sent';
    } catch (error) {
      // A 5xx answer is final for this address; anything else may work later (retried).
      const code = (error as { responseCode?: unknown }).responseCode;
      if (typeof code === 'number' && code >= 500) return { rejected: `SMTP ${code}` };
      throw error;
    }
  }
}
