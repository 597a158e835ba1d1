// Real servers: start-up, rebalances and shutdown take seconds, not milliseconds.
jest.setTimeout(120_000);
