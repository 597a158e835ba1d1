import { createServer } from 'node:net';

/** A page as a browser without JavaScript sees it. */
export interface PageResponse {
  status: number;
  html: string;
  headers: Headers;
  /** The CSRF cookie the page set, as "name=value", if it set one. */
  cookie?: string;
  /** The form's hidden CSRF field, if the page has the form. */
  csrf?: string;
  ms: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function read(response: Response, started: number): Promise<PageResponse> {
  const html = await response.text();
  const setCookie = response.headers.getSetCookie()[0];
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  return {
    status: response.status,
    html,
    headers: response.headers,
    ms: Date.now() - started,
    ...(setCookie ? { cookie: setCookie.split(';')[0] } : {}),
    ...(csrf ? { csrf } : {}),
  };
}

export async function openPage(url: string, method: 'GET' | 'HEAD' = 'GET'): Promise<PageResponse> {
  const started = Date.now();
  return read(await fetch(url, { method, redirect: 'manual' }), started);
}

/** Presses the button: posts the form with its cookie, as the browser would. */
export async function pressButton(
  url: string,
  form: { cookie?: string; csrf?: string },
): Promise<PageResponse> {
  const started = Date.now();
  const response = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(form.cookie ? { cookie: form.cookie } : {}),
    },
    body: new URLSearchParams(form.csrf ? { _csrf: form.csrf } : {}).toString(),
  });
  return read(response, started);
}

/** The token of the verification link in a mail's text. */
export function tokenIn(text: string | undefined, baseUrl: string): string | undefined {
  const escaped = baseUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${escaped}/verify/([A-Za-z0-9_-]+)`).exec(text ?? '')?.[1];
}
