import pino from 'pino';
import { HealthServer } from './health-server';
import { createMetricsRegistry } from './metrics';

describe('HealthServer readiness', () => {
  const logger = pino({ level: 'silent' });

  it('is ready only when every dependency answers, and names the one that does not', async () => {
    const health = new HealthServer(
      { kafka: async () => true, mongodb: async () => false },
      logger,
    );
    expect(await health.readiness()).toEqual({
      ok: false,
      body: { status: 'unavailable', checks: { kafka: 'up', mongodb: 'down' } },
    });
  });

  it('counts a check that throws as down', async () => {
    const health = new HealthServer(
      {
        kafka: async () => {
          throw new Error('ECONNREFUSED');
        },
      },
      logger,
    );
    expect((await health.readiness()).body.checks).toEqual({ kafka: 'down' });
  });
});

describe('HealthServer /metrics', () => {
  const logger = pino({ level: 'silent' });

  it("serves the registry's Node figures labelled with the service", async () => {
    const health = new HealthServer({}, logger, createMetricsRegistry('test-service'));
    const port = await health.start(0);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      const text = await response.text();
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds\{service="test-service"\} \d/m);
      expect(text).toMatch(/^process_resident_memory_bytes\{service="test-service"\} \d+/m);
    } finally {
      await health.stop();
    }
  });

  it('answers 404 on /metrics when the app has no registry', async () => {
    const health = new HealthServer({}, logger);
    const port = await health.start(0);
    try {
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    } finally {
      await health.stop();
    }
  });
});
