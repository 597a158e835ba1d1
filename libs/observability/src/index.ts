export * from './redaction';
export * from './create-logger';
export * from './observability.module';
