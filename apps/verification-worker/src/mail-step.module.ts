import { Module } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  createMailTransport,
  MailRenderer,
  mailTransportConfigFrom,
  MeteredMailTransport,
} from '@app/mail';
import {
  MailDeliveryRepository,
  RequestProgressRepository,
  UserStateRepository,
  VerificationLinkRepository,
} from '@app/persistence';
import { LOGGER, METRICS, outcomeCounterProvider, SERVICE_CONFIG } from '@app/service-runtime';
import { SendVerificationMails } from '@app/verification';
import type { WorkerConfig } from './config';
import {
  MAIL_OUTCOMES,
  VerificationMailRequestedHandler,
} from './verification-mail-requested.handler';
import { EVENT_SOURCE } from './verification-requested.handler';
import { TemplateVerificationMailer } from './verification-mailer';

function mailTransport(config: WorkerConfig, metrics: Registry, log: Logger): MeteredMailTransport {
  if (!config.SMTP_URL)
    log.warn(
      { folder: config.MAIL_OUTBOX_DIR },
      'SMTP_URL is not set: mails are written as .eml files',
    );
  return new MeteredMailTransport(createMailTransport(mailTransportConfigFrom(config)), metrics);
}

type MailStores = [
  UserStateRepository,
  VerificationLinkRepository,
  RequestProgressRepository,
  MailDeliveryRepository,
];

function sendMails(
  config: WorkerConfig,
  transport: MeteredMailTransport,
  stores: MailStores,
): SendVerificationMails {
  const mailer = new TemplateVerificationMailer(new MailRenderer(), transport, {
    from: config.MAIL_FROM,
    publicBaseUrl: config.PUBLIC_BASE_URL,
    loginUrl: config.LOGIN_URL,
    messageIdDomain: config.MESSAGE_ID_DOMAIN,
  });
  return new SendVerificationMails(...stores, mailer, {
    tokenTtlMs: config.VERIFICATION_TOKEN_TTL_MS,
    source: EVENT_SOURCE,
    // Each connection has one mail on the wire: the most a crash can send twice.
    maxInFlight: config.SMTP_MAX_CONNECTIONS,
    claimLeaseMs: config.SMTP_TIMEOUT_MS,
  });
}

/** The mail step runs in its own consumer group, so a slow SMTP server never stalls decisions. */
@Module({
  controllers: [VerificationMailRequestedHandler],
  providers: [
    outcomeCounterProvider(MAIL_OUTCOMES),
    {
      provide: MeteredMailTransport,
      useFactory: mailTransport,
      inject: [SERVICE_CONFIG, METRICS, LOGGER],
    },
    {
      provide: SendVerificationMails,
      useFactory: (config: WorkerConfig, transport: MeteredMailTransport, ...stores: MailStores) =>
        sendMails(config, transport, stores),
      inject: [
        SERVICE_CONFIG,
        MeteredMailTransport,
        UserStateRepository,
        VerificationLinkRepository,
        RequestProgressRepository,
        MailDeliveryRepository,
      ],
    },
  ],
})
export class MailStepModule {}
