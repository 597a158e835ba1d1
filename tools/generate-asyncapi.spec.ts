import { readFileSync } from 'node:fs';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { parse } from 'yaml';
import { ALL_EVENT_TYPES, DEFAULT_TOPICS } from '@app/contracts';
import { ASYNCAPI_PATH, GENERATOR_COMMAND, buildAsyncApiDocument } from './generate-asyncapi';

// The parser's diagnostics use a nested copy of the Stoplight enum, so compare by value.
const isError = (severity: number): boolean => severity === Number(DiagnosticSeverity.Error);

interface Doc {
  channels: Record<string, { address: string; messages: Record<string, unknown> }>;
  operations: Record<string, { action: string; channel: { $ref: string } }>;
  components: { messages: Record<string, { payload: { properties: Record<string, unknown> } }> };
}

describe('docs/asyncapi.yaml', () => {
  const committed = readFileSync(ASYNCAPI_PATH, 'utf8');

  it('is exactly what the generator builds from the zod schemas (no drift)', () => {
    const built = buildAsyncApiDocument();
    const onDisk: unknown = parse(committed);
    const message = `docs/asyncapi.yaml is out of date; run: ${GENERATOR_COMMAND}`;
    if (JSON.stringify(onDisk) !== JSON.stringify(built)) {
      // toEqual gives the readable diff; the thrown message says how to fix it.
      try {
        expect(onDisk).toEqual(built);
      } catch (error) {
        throw new Error(`${message}\n\n${(error as Error).message}`);
      }
      throw new Error(message);
    }
  });

  it('is a valid AsyncAPI 3.0.0 document (no parser diagnostics of severity error)', async () => {
    const diagnostics = await new Parser().validate(committed);
    const errors = diagnostics.filter((d) => isError(d.severity));
    expect(errors.map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
  });

  it('has a channel at the default topic and a message for every event type', () => {
    const doc = buildAsyncApiDocument() as unknown as Doc;
    for (const type of ALL_EVENT_TYPES) {
      expect(doc.channels[type]?.address).toBe(DEFAULT_TOPICS[type]);
      expect(doc.channels[type]?.messages[type]).toEqual({ $ref: `#/components/messages/${type}` });
      expect(doc.components.messages[type]?.payload.properties.data).toBeDefined();
    }
  });

  it('receives what the product consumes and sends what it emits (EmailVerified both)', () => {
    const doc = buildAsyncApiDocument() as unknown as Doc;
    const byAction = (action: string): string[] =>
      Object.values(doc.operations)
        .filter((op) => op.action === action)
        .map((op) => op.channel.$ref.replace('#/channels/', ''))
        .sort();
    expect(byAction('receive')).toEqual(
      [
        'EmailVerified',
        'UserImportUploaded',
        'VerificationMailRequested',
        'VerificationRequested',
      ].sort(),
    );
    expect(byAction('send')).toEqual(
      [
        'EmailVerified',
        'UserImportCompleted',
        'VerificationBatchCompleted',
        'VerificationMailRequested',
        'VerificationStatusChanged',
        'VismaConnectLinked',
      ].sort(),
    );
  });

  it('documents verifyAfterImport as an extension in the UserImportUploaded schema', () => {
    const doc = buildAsyncApiDocument() as unknown as Doc;
    const data = doc.components.messages.UserImportUploaded?.payload.properties.data as {
      properties: Record<string, { default?: unknown; description?: string }>;
    };
    expect(data.properties.verifyAfterImport?.default).toBe(false);
    expect(data.properties.verifyAfterImport?.description).toMatch(/^Extension/);
  });

  it('the validity check is live: a broken document does produce errors', async () => {
    const broken = committed.replace('action: send', 'action: publish');
    const diagnostics = await new Parser().validate(broken);
    expect(diagnostics.some((d) => isError(d.severity))).toBe(true);
  });
});
