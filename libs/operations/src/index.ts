export * from './operator-views';
export * from './summaries';
export * from './user-timeline';
export * from './console';
