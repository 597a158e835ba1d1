export * from './user-state';
export * from './record-verification-request';
export * from './status-changed-event';
export * from './email-address';
export * from './verification-link';
export * from './decide-verification';
export * from './request-progress';
export * from './send-verification-mails';
