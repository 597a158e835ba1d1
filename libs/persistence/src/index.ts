export * from './mongo-connection';
export * from './user-state/user-state.schema';
export * from './user-state/user-state.repository';
