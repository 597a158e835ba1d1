import { Controller, Inject } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { CloudEvent } from '@app/contracts';
import { eventCause, OnEvent, OutboxRelay, PermanentError } from '@app/messaging';
import { OutcomeCounter } from '@app/observability';
import { RunUserImport } from '@app/user-import';

export const EVENT_SOURCE = '/connect-provisioning/import-worker';

/** Counted for /metrics by this handler. */
export const IMPORT_ROW_OUTCOMES = {
  name: 'connect_import_rows_total',
  help: 'Imported rows, by outcome: updated, unchanged, or the reason they were rejected',
  label: 'outcome',
};

/** Translates UserImportUploaded into the import and publishes its completion. */
@Controller()
export class UserImportUploadedHandler {
  constructor(
    @Inject(RunUserImport) private readonly runImport: RunUserImport,
    @Inject(OutboxRelay) private readonly outbox: OutboxRelay,
    @Inject(OutcomeCounter) private readonly outcomes: OutcomeCounter,
    private readonly logger: PinoLogger,
  ) {}

  @OnEvent('UserImportUploaded')
  async handle(event: CloudEvent<'UserImportUploaded'>): Promise<void> {
    const { importId, tenantId, file } = event.data;
    this.logger.info({ eventId: event.id, importId, tenantId, file: file.name }, 'import started');
    const result = await this.runImport.execute(event.data, eventCause(event, EVENT_SOURCE));
    const log = { eventId: event.id, importId, tenantId };
    if (result.kind === 'conflict')
      // Set aside with its reason: the import that owns the id goes on untouched.
      throw new PermanentError(
        `import ${importId} of this tenant was already started with another file`,
        'import_id_reused',
      );
    if (result.kind !== 'already_completed' && result.completion)
      await this.outbox.flush(result.completion);
    if (result.kind === 'completed') {
      const { updated, unchanged, reasons } = result.counts;
      this.outcomes.add({ updated, unchanged, ...reasons });
      this.logger.info({ ...log, ...result.counts }, 'import completed');
    } else if (result.kind === 'failed')
      this.logger.warn({ ...log, error: result.failure }, 'import failed');
    else this.logger.info(log, 'import was completed already');
  }
}
