import type { FactoryProvider } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { OutcomeCounter } from '@app/observability';
import { METRICS } from './tokens';

/** The outcome counter of the module that declares it: each consumer group counts its own. */
export function outcomeCounterProvider(
  options: ConstructorParameters<typeof OutcomeCounter>[1],
): FactoryProvider<OutcomeCounter> {
  return {
    provide: OutcomeCounter,
    useFactory: (metrics: Registry) => new OutcomeCounter(metrics, options),
    inject: [METRICS],
  };
}
