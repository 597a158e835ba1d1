export { ConsolePages } from './console-pages';
export { CONSOLE_PATHS } from './console-paths';
export { CONSOLE_STYLESHEET } from './console-stylesheet';
export type * from './console-views';
