import { z } from 'zod';
import { ConfigError, commaList, loadConfig, positiveInt, urlString } from '.';

const schema = z.object({
  KAFKA_BROKERS: commaList('must list at least one host:port, comma-separated'),
  MONGODB_URI: urlString(['mongodb:', 'mongodb+srv:'], 'must be a mongodb:// URI'),
  BATCH_SIZE: positiveInt(100),
});

describe('loadConfig', () => {
  it('parses valid values and applies defaults', () => {
    const config = loadConfig(schema, {
      KAFKA_BROKERS: 'a:9092, b:9092',
      MONGODB_URI: 'mongodb://127.0.0.1:27017/x',
    });
    expect(config).toEqual({
      KAFKA_BROKERS: ['a:9092', 'b:9092'],
      MONGODB_URI: 'mongodb://127.0.0.1:27017/x',
      BATCH_SIZE: 100,
    });
  });

  it('reports every bad variable by name at once, without echoing values', () => {
    let caught: unknown;
    try {
      loadConfig(schema, { MONGODB_URI: 'postgres://secret@host', BATCH_SIZE: '-3' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.problems).toHaveLength(3);
    expect(error.message).toContain('KAFKA_BROKERS: must list at least one host:port');
    expect(error.message).toContain('MONGODB_URI: must be a mongodb:// URI');
    expect(error.message).toContain('BATCH_SIZE: must be a positive integer');
    expect(error.message).not.toContain('secret');
  });
});
