export * from './tokens';
export * from './closing-stack';
export * from './service-runtime.module';
export * from './providers';
export * from './start-step';
export * from './steps';
export * from './consumer-group';
export * from './start-service';
