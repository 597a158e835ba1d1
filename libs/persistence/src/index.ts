export * from './mongo-connection';
export * from './outbox/outbox-fields';
export * from './processed-event/processed-event.repository';
export * from './user-state/user-state.schema';
export * from './user-state/user-state.repository';
export * from './verification-request/request-progress.repository';
export * from './verification-link/verification-link.repository';
