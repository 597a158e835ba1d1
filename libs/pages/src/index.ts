export * from './body-refusal';
export * from './page-renderer';
export { PAGE_STYLESHEET } from './page-stylesheet';
