export * from './body-refusal';
export * from './form-app';
export * from './page-renderer';
export { PAGE_STYLESHEET } from './page-stylesheet';
export * from './site-layout';
export { SITE_STYLESHEET } from './site-stylesheet';
export * from './security-headers';
