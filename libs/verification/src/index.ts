export * from './user-state';
export * from './record-verification-request';
export * from './status-changed-event';
