import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import type { Request } from 'express';
import type { Kafka } from 'kafkajs';
import type { Connection } from 'mongoose';
import type { TopicMap } from '@app/messaging';
import { ConsolePages } from '@app/operations';
import { MongoRateLimits, OperatorReadRepository } from '@app/persistence';
import {
  KAFKA,
  MONGO_CONNECTION,
  SERVICE_CONFIG,
  StoresModule,
  TOPICS,
} from '@app/service-runtime';
import type { ConsoleConfig } from './config';
import { ConsoleController } from './console.controller';
import { ConsoleAuth } from './console-auth';
import { ConsoleAuthGuard } from './console-auth.guard';
import { ConsoleReads } from './console-reads';
import { LoginController } from './login.controller';

const SIGN_IN = [
  {
    provide: ConsoleAuth,
    useFactory: (config: ConsoleConfig) =>
      new ConsoleAuth(config.OPS_CONSOLE_TOKEN, config.OPS_CONSOLE_SESSION_HOURS * 3_600_000),
    inject: [SERVICE_CONFIG],
  },
];

@Module({
  // The console's one write: sign-in attempts, counted for every instance together.
  imports: [StoresModule.forFeature({ stores: [MongoRateLimits] })],
  providers: SIGN_IN,
  exports: SIGN_IN.map((p) => p.provide),
})
class SignInModule {}

@Module({
  imports: [
    SignInModule,
    ThrottlerModule.forRootAsync({
      imports: [SignInModule],
      inject: [MongoRateLimits, ConsoleAuth, SERVICE_CONFIG],
      useFactory: (storage: MongoRateLimits, auth: ConsoleAuth, config: ConsoleConfig) => ({
        throttlers: [{ ttl: 60_000, limit: config.OPS_CONSOLE_LOGIN_ATTEMPTS_PER_MINUTE }],
        storage,
        // Only requests without a valid token count: guesses through the form and through
        // the bearer header alike. Signed-in operators (pages reload every 10 s) never do.
        skipIf: (context) => auth.accepts(context.switchToHttp().getRequest<Request>()),
        // One budget per address for the whole console: by default each route counts apart.
        generateKey: (_context, tracker) => `sign-in:${tracker}`,
      }),
    }),
  ],
  controllers: [LoginController, ConsoleController],
  providers: [
    // In this order: a guesser over the limit gets 429 before the token is even compared.
    { provide: APP_GUARD, useClass: ThrottlerGuard },
    { provide: APP_GUARD, useClass: ConsoleAuthGuard },
    {
      provide: ConsoleReads,
      useFactory: (connection: Connection, kafka: Kafka, topics: TopicMap) =>
        new ConsoleReads(new OperatorReadRepository(connection), kafka, topics),
      inject: [MONGO_CONNECTION, KAFKA, TOPICS],
    },
    { provide: ConsolePages, useFactory: () => new ConsolePages() },
  ],
})
export class OpsConsoleModule {}
