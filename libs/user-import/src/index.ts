export * from './import-columns';
export * from './decide-import-rows';
export * from './import-report';
export * from './import-failure';
export * from './import-ports';
export * from './read-import-rows';
export * from './run-user-import';
export * from './export-rows';
