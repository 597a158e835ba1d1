import { Module } from '@nestjs/common';
import { EmailVerifiedLogRepository, UserStateRepository } from '@app/persistence';
import { outcomeCounterProvider } from '@app/service-runtime';
import { LinkVismaConnect } from '@app/verification';
import { EmailVerifiedHandler, VERIFICATION_OUTCOMES } from './email-verified.handler';

/** The linker runs in its own consumer group: a big bulk request never delays a link. */
@Module({
  controllers: [EmailVerifiedHandler],
  providers: [
    outcomeCounterProvider(VERIFICATION_OUTCOMES),
    {
      provide: LinkVismaConnect,
      useFactory: (states: UserStateRepository, verified: EmailVerifiedLogRepository) =>
        new LinkVismaConnect(states, verified),
      inject: [UserStateRepository, EmailVerifiedLogRepository],
    },
  ],
})
export class LinkerModule {}
