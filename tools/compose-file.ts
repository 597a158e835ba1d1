import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

/** docker-compose.yml as far as the specs of tools/ read it (other keys are dropped). */
export const composeSchema = z.object({
  services: z.record(
    z.string(),
    z.object({
      image: z.string().optional(),
      build: z.object({ args: z.record(z.string(), z.string()) }).optional(),
      profiles: z.array(z.string()).optional(),
      environment: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
      ports: z.array(z.string()).optional(),
      volumes: z.array(z.string()).optional(),
      healthcheck: z.object({ test: z.array(z.string()) }).optional(),
    }),
  ),
});

export type ComposeFile = z.output<typeof composeSchema>;
export type ComposeService = ComposeFile['services'][string];

/** The repository's docker-compose.yml, checked against the schema above. */
export function readComposeFile(): ComposeFile {
  return composeSchema.parse(
    parse(readFileSync(join(__dirname, '..', 'docker-compose.yml'), 'utf8')),
  );
}
