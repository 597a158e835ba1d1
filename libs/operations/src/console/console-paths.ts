/** Where each console page lives; the app's routes and the pages' links both follow these. */
export const CONSOLE_PATHS = {
  overview: '/',
  users: '/users',
  login: '/login',
  logout: '/logout',
  stylesheet: '/assets/console.css',
  request: (requestId: string) => `/requests/${encodeURIComponent(requestId)}`,
  import: (importId: string) => `/imports/${encodeURIComponent(importId)}`,
  user: (tenantId: string, userId: string) =>
    `/users/${encodeURIComponent(tenantId)}/${encodeURIComponent(userId)}`,
  deadLetters: (sourceTopic: string) => `/dlq/${encodeURIComponent(sourceTopic)}`,
} as const;
