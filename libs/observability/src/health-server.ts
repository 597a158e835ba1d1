import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** Answers whether one dependency is reachable now. */
export type HealthCheck = () => Promise<boolean>;

const CHECK_TIMEOUT_MS = 2000;

/**
 * Liveness, readiness and metrics over plain HTTP, for orchestrators and operators:
 * GET /health/live  200 while the process runs;
 * GET /health/ready 200 when every dependency answers, else 503 naming the one that does not;
 * GET /metrics      the Prometheus registry, when one is given.
 */
export class HealthServer {
  private server?: Server;

  constructor(
    private readonly checks: Readonly<Record<string, HealthCheck>>,
    private readonly logger: Logger,
    private readonly metrics?: Registry,
  ) {}

  async start(port: number): Promise<number> {
    this.server = createServer((req, res) => {
      const reply = (status: number, body: object) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      if (req.method !== 'GET') return reply(405, { error: 'method not allowed' });
      if (req.url === '/health/live') return reply(200, { status: 'ok' });
      if (req.url === '/health/ready') {
        void this.readiness().then((r) => reply(r.ok ? 200 : 503, r.body));
        return;
      }
      if (req.url === '/metrics' && this.metrics) {
        const { contentType } = this.metrics;
        void this.metrics.metrics().then(
          (text) => res.writeHead(200, { 'content-type': contentType }).end(text),
          (error: unknown) => {
            this.logger.warn({ err: error }, 'collecting metrics failed');
            reply(500, { error: 'metrics unavailable' });
          },
        );
        return;
      }
      reply(404, { error: 'not found' });
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject).listen(port, '0.0.0.0', resolve);
    });
    const bound = (this.server.address() as AddressInfo).port;
    this.logger.info(
      { port: bound },
      this.metrics
        ? 'health endpoints on /health/live and /health/ready, metrics on /metrics'
        : 'health endpoints on /health/live and /health/ready',
    );
    return bound;
  }

  async readiness(): Promise<{
    ok: boolean;
    body: { status: string; checks: Record<string, 'up' | 'down'> };
  }> {
    const results = await Promise.all(
      Object.entries(this.checks).map(
        async ([name, check]) => [name, await withTimeout(check)] as const,
      ),
    );
    const ok = results.every(([, up]) => up);
    return {
      ok,
      body: {
        status: ok ? 'ok' : 'unavailable',
        checks: Object.fromEntries(results.map(([n, up]) => [n, up ? 'up' : 'down'])),
      },
    };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}

async function withTimeout(check: HealthCheck): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>(
    (resolve) => (timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS)),
  );
  try {
    return await Promise.race([check().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
