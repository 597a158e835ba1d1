import { connect, type Socket } from 'node:net';

const CONNECT_TIMEOUT_MS = 30_000;

export interface SocketTarget {
  host?: string;
  port?: number;
  secure?: boolean;
}

export type SocketCallback = (error: Error | null, socketOptions?: { connection: Socket }) => void;

/**
 * nodemailer's `getSocket` hook: a TCP connection with Nagle's algorithm off. nodemailer leaves
 * it on and writes a message's closing `.` on its own; that small write then waits for the
 * server's delayed ACK (40 ms on Linux), once per mail, which caps a connection at about 20
 * mails a second. nodemailer still does the SMTP (and, for smtps, the TLS) over this socket.
 */
export function connectWithoutDelay(target: SocketTarget, callback: SocketCallback): void {
  const socket = connect({
    host: target.host ?? 'localhost',
    // nodemailer's own defaults when the URL names no port.
    port: target.port ?? (target.secure ? 465 : 587),
    noDelay: true,
  });
  const failed = (error: Error) => callback(error);
  // nodemailer's connection timeout starts only once it has the socket; this covers the connect.
  socket.setTimeout(CONNECT_TIMEOUT_MS, () =>
    socket.destroy(Object.assign(new Error('SMTP connect timed out'), { code: 'ETIMEDOUT' })),
  );
  socket.once('error', failed);
  socket.once('connect', () => {
    socket.setTimeout(0);
    socket.removeListener('error', failed);
    socket.setKeepAlive(true);
    callback(null, { connection: socket });
  });
}
