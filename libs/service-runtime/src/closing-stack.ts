/** Something started that must be stopped when the service stops. */
export interface Closer {
  name: string;
  close(): Promise<unknown>;
}

/**
 * The shutdown order of a service is the reverse of its start-up order: what started last (the
 * health server, then the intake) stops first, the connections everything used stop last. A
 * failing close never keeps the rest open.
 */
export class ClosingStack {
  private readonly opened: Closer[] = [];

  push(name: string, close: () => Promise<unknown>): void {
    this.opened.push({ name, close });
  }

  /** The names in the order `closeAll` closes them. */
  order(): string[] {
    return this.opened.map((c) => c.name).reverse();
  }

  async closeAll(): Promise<void> {
    // Taken off as it goes: a second call (SIGTERM during a failed start) closes nothing twice.
    for (let closer = this.opened.pop(); closer; closer = this.opened.pop())
      await closer.close().catch(() => undefined);
  }
}
