export * from './redaction';
export * from './create-logger';
export * from './observability.module';
export * from './health-server';
export * from './metrics';
export * from './run-service';
