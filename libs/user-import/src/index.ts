export * from './import-columns';
export * from './decide-import-rows';
