/**
 * Counts the AWS calls of a run, across clients: every adapter attaches the same counter to its
 * client, so the summary's `api` adds up RDS and Resource Groups Tagging API calls alike.
 * No SDK import: the middleware is attached through the client's own stack.
 */

export interface ApiStats {
  calls: number;
  retries: number;
  byOperation: Record<string, number>;
}

/** The part of an SDK client the counter needs (every v3 client has it). */
interface CountableClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<{ output: unknown }>,
        context: { commandName?: string },
      ) => (args: unknown) => Promise<{ output: unknown }>,
      options: { step: 'initialize'; name: string; override: boolean },
    ): void;
  };
}

export class ApiCallCounter {
  private readonly counters: ApiStats = { calls: 0, retries: 0, byOperation: {} };

  /** Counts each command the client sends (once, however often the SDK retries it) and its retries. */
  attach(client: CountableClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
        this.counters.calls++;
        this.counters.byOperation[operation] = (this.counters.byOperation[operation] ?? 0) + 1;
        try {
          const result = await next(args);
          this.countRetries(result.output);
          return result;
        } catch (error) {
          this.countRetries(error);
          throw error;
        }
      },
      { step: 'initialize', name: 'rdsSnapshotCallCounter', override: true },
    );
  }

  stats(): ApiStats {
    return { calls: this.counters.calls, retries: this.counters.retries, byOperation: { ...this.counters.byOperation } };
  }

  private countRetries(outputOrError: unknown): void {
    const attempts = (outputOrError as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts;
    if (typeof attempts === 'number' && attempts > 1) this.counters.retries += attempts - 1;
  }
}
