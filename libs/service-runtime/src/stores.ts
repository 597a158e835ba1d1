import { type DynamicModule, type FactoryProvider, Module, type Provider } from '@nestjs/common';
import type { Connection } from 'mongoose';
import {
  EmailVerifiedLogRepository,
  LinkUseRepository,
  MailDeliveryRepository,
  MongoRateLimits,
  ProcessedEventRepository,
  RequestProgressRepository,
  UserImportRepository,
  UserStateRepository,
  VerificationLinkRepository,
} from '@app/persistence';
import type { Logger } from 'pino';
import type { OutboxStore } from '@app/contracts';
import { EventPublisher, OutboxRelay } from '@app/messaging';
import { LOGGER, MONGO_CONNECTION, SERVICE_CONFIG, SERVICE_NAME } from './tokens';

/** The retention settings a service's config holds when it uses the stores that need them. */
export interface StoreSettings {
  LINK_RETENTION_DAYS?: number;
  PROCESSED_EVENTS_RETENTION_DAYS?: number;
}

type Store = { init(): Promise<unknown> };
type StoreFactory = (connection: Connection, settings: StoreSettings, service: string) => Store;

const days = (value: number | undefined, name: keyof StoreSettings): number => {
  // A schema without the setting is a wiring mistake of the app, found at start.
  if (value === undefined) throw new Error(`this store needs ${name} in the service's config`);
  return value;
};

/**
 * How each store is made, in one place: two apps that share a store (links, processed marks)
 * build it the same way, with the same retention.
 */
const FACTORIES = new Map<unknown, StoreFactory>([
  [UserStateRepository, (c) => new UserStateRepository(c)],
  [UserImportRepository, (c) => new UserImportRepository(c)],
  [RequestProgressRepository, (c) => new RequestProgressRepository(c)],
  [EmailVerifiedLogRepository, (c) => new EmailVerifiedLogRepository(c)],
  [
    ProcessedEventRepository,
    (c, s) =>
      new ProcessedEventRepository(c, {
        retentionDays: days(s.PROCESSED_EVENTS_RETENTION_DAYS, 'PROCESSED_EVENTS_RETENTION_DAYS'),
      }),
  ],
  [
    VerificationLinkRepository,
    (c, s) =>
      new VerificationLinkRepository(c, {
        retentionDays: days(s.LINK_RETENTION_DAYS, 'LINK_RETENTION_DAYS'),
      }),
  ],
  [
    LinkUseRepository,
    (c, s) =>
      new LinkUseRepository(c, {
        retentionDays: days(s.LINK_RETENTION_DAYS, 'LINK_RETENTION_DAYS'),
      }),
  ],
  [
    MailDeliveryRepository,
    (c, s) =>
      new MailDeliveryRepository(c, {
        retentionDays: days(s.LINK_RETENTION_DAYS, 'LINK_RETENTION_DAYS'),
      }),
  ],
  // Rate-limit windows are counted per service: the page's budget is not the console's.
  [MongoRateLimits, (c, _s, service) => new MongoRateLimits(c, service)],
]);

export type StoreType<T extends Store = Store> = abstract new (...args: never[]) => T;

/** Hands out the module's stores by type, to say which outboxes the relay publishes. */
export type StoreLookup = <T extends Store>(type: StoreType<T>) => T;

export interface StoresOptions {
  stores: readonly StoreType[];
  /** The outboxes the app's relay publishes and sweeps; none: the app has no relay. */
  outboxes?: (store: StoreLookup) => OutboxStore[];
}

/**
 * The app's stores, each on the process's connection with its indexes made before anything
 * uses it (a failing index stops the start, not the first query), and the outbox relay over
 * the outboxes the app writes. Global: every module of the app shares the one set.
 */
@Module({})
export class StoresModule {
  static forFeature(options: StoresOptions): DynamicModule {
    const providers: Provider[] = options.stores.map(storeProvider);
    if (options.outboxes) providers.push(outboxRelayProvider(options.stores, options.outboxes));
    return {
      module: StoresModule,
      global: true,
      providers,
      exports: providers.map((p) => (p as FactoryProvider).provide),
    };
  }
}

function storeProvider(type: StoreType): FactoryProvider<Store> {
  const factory = FACTORIES.get(type);
  if (!factory) throw new Error(`StoresModule: no factory for ${type.name}`);
  return {
    provide: type,
    useFactory: async (connection: Connection, settings: StoreSettings, service: string) => {
      const store = factory(connection, settings, service);
      await store.init();
      return store;
    },
    inject: [MONGO_CONNECTION, SERVICE_CONFIG, SERVICE_NAME],
  };
}

interface OutboxConfig {
  OUTBOX_SWEEP_INTERVAL_MS: number;
  OUTBOX_GRACE_MS: number;
}

function outboxRelayProvider(
  stores: readonly StoreType[],
  outboxesOf: (store: StoreLookup) => OutboxStore[],
): FactoryProvider<OutboxRelay> {
  return {
    provide: OutboxRelay,
    useFactory: (
      publisher: EventPublisher,
      logger: Logger,
      config: OutboxConfig,
      ...instances: Store[]
    ) => {
      const byType = new Map<unknown, Store | undefined>(stores.map((t, i) => [t, instances[i]]));
      const lookup = <T extends Store>(type: StoreType<T>): T => {
        const store = byType.get(type);
        if (!store) throw new Error(`StoresModule: ${type.name} is not among the stores`);
        return store as T;
      };
      return new OutboxRelay(
        publisher,
        outboxesOf(lookup),
        { sweepIntervalMs: config.OUTBOX_SWEEP_INTERVAL_MS, graceMs: config.OUTBOX_GRACE_MS },
        logger.child({ component: 'outbox' }),
      );
    },
    inject: [EventPublisher, LOGGER, SERVICE_CONFIG, ...stores],
  };
}
