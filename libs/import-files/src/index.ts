export * from './import-file-error';
export * from './fetch-import-file';
export * from './csv-rows';
export * from './open-sheet';
export * from './report-writer';
export * from './import-sheet-files';
export * from './local-file-roots';
export * from './https-sources';
