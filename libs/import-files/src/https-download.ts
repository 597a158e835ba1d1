import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import type { LookupFunction } from 'node:net';
import { ImportFileError } from './import-file-error';
import {
  addressRefusal,
  canonical,
  type HttpsSources,
  isHostAllowed,
  unbracket,
} from './https-sources';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Requests an `https://` upload; answers the response once the server says 200. Every hop (the
 * URL, then each redirect, handled here and not by the client) is checked the same way: https
 * only, a listed host, every address the name resolves to public. The connection goes to the
 * address that was checked, so a second DNS answer (rebinding) cannot send it elsewhere.
 */
export async function requestHttpsUpload(
  url: URL,
  sources: HttpsSources,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const maxRedirects = sources.maxRedirects ?? 3;
  let current = url;
  for (let redirects = 0; ; redirects++) {
    const address = await checkedAddress(current, sources);
    const response = await get(current, address, signal);
    const status = response.statusCode ?? 0;
    if (status === 200) return response;
    response.resume();
    if (!REDIRECTS.has(status)) throw unavailable(`download failed: HTTP ${status}`);
    if (redirects >= maxRedirects) throw forbidden(`more than ${maxRedirects} redirects`);
    current = nextHop(current, response.headers.location);
  }
}

async function checkedAddress(url: URL, sources: HttpsSources): Promise<LookupAddress> {
  if (url.protocol !== 'https:')
    throw forbidden(`only https:// uploads are allowed, not ${url.protocol}//`);
  if (!isHostAllowed(url.hostname, sources.allowedHosts))
    throw forbidden(`the host ${url.hostname} is not an allowed upload host`);
  const addresses = await lookup(unbracket(url.hostname), { all: true, verbatim: true }).catch(
    () => {
      throw unavailable(`the host ${url.hostname} cannot be resolved`);
    },
  );
  // Every answer, not only the first: the client could pick any of them.
  for (const { address } of addresses) {
    const refusal = addressRefusal(address, sources.allowPrivateAddresses);
    if (refusal) throw forbidden(`the host ${url.hostname} resolves to ${refusal}`);
  }
  const first = addresses[0];
  if (!first) throw unavailable(`the host ${url.hostname} cannot be resolved`);
  return first;
}

function get(url: URL, address: LookupAddress, signal: AbortSignal): Promise<IncomingMessage> {
  // The socket's own lookup answers with the checked address and nothing else.
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [address]);
    else callback(null, address.address, address.family);
  };
  return new Promise((resolve, reject) => {
    const req = request(
      {
        protocol: 'https:',
        hostname: unbracket(url.hostname),
        port: url.port || 443,
        // Credentials in the URL are not sent anywhere.
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        agent: false,
        lookup: pinned,
        signal,
        headers: { accept: '*/*' },
      },
      (response) => {
        const peer = response.socket.remoteAddress;
        if (peer && canonical(peer) === canonical(address.address)) return resolve(response);
        response.destroy();
        reject(forbidden(`the connection to ${url.hostname} went to another address`));
      },
    );
    req.once('error', (error) => reject(downloadFailure(error, signal)));
    req.end();
  });
}

function nextHop(from: URL, location: string | undefined): URL {
  if (!location) throw unavailable('download failed: a redirect without a Location');
  try {
    return new URL(location, from);
  } catch {
    throw forbidden('a redirect to something that is not a URL');
  }
}

/** A failed connection or transfer; the code only, as messages may quote addresses. */
export function downloadFailure(error: unknown, signal: AbortSignal): ImportFileError {
  if (error instanceof ImportFileError) return error;
  if (signal.aborted) return unavailable('download timed out');
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return unavailable(`download failed: ${code ?? 'connection error'}`);
}

function forbidden(message: string): ImportFileError {
  return new ImportFileError('forbidden_location', message);
}

function unavailable(message: string): ImportFileError {
  return new ImportFileError('file_unavailable', message);
}
