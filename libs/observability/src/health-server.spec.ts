import pino from 'pino';
import { HealthServer } from './health-server';

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
