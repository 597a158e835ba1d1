import type { INestApplication } from '@nestjs/common';
import type { ClosingStack } from './closing-stack';

/**
 * A part of an app started once everything it needs is connected (a consumer group, the
 * outbox sweep, the HTTP listener). It records how to stop it: the steps stop in reverse.
 */
export type StartStep = (app: INestApplication, closing: ClosingStack) => Promise<void>;
