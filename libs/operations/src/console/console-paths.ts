/** Where each console page lives; the app's routes and the pages' links both follow these. */
export const CONSOLE_PATHS = {
  overview: '/',
  users: '/users',
  login: '/login',
  logout: '/logout',
  stylesheet: '/assets/console.css',
  // Request and import ids are the tenant's own: the tenant is part of every address.
  request: (tenantId: string, requestId: string) =>
    `/requests/${encodeURIComponent(tenantId)}/${encodeURIComponent(requestId)}`,
  import: (tenantId: string, importId: string) =>
    `/imports/${encodeURIComponent(tenantId)}/${encodeURIComponent(importId)}`,
  user: (tenantId: string, userId: string) =>
    `/users/${encodeURIComponent(tenantId)}/${encodeURIComponent(userId)}`,
  deadLetters: (sourceTopic: string) => `/dlq/${encodeURIComponent(sourceTopic)}`,
} as const;
