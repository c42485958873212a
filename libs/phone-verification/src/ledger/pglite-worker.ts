import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import {
  DEFAULT_UPKEEP,
  logUpkeep,
  type PgliteUpkeep,
  type UpkeepEvent,
  type UpkeepLogger,
} from './pglite-upkeep.js';
import { PGLITE_WORKER_SOURCE, pgliteEntry } from './pglite-worker.source.js';

/** A statement's answer, as the ledger's SQL adapters give it. */
export interface PgliteAnswer<Row> {
  rows: Row[];
  affected: number;
}

/** An error the worker sent back, with its SQLSTATE `code` when it had one. */
function errorOf(sent: { message: string; code?: string }): Error {
  return Object.assign(
    new Error(sent.message),
    sent.code ? { code: sent.code } : {},
  );
}

interface Waiting {
  readonly worker: Worker;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/**
 * PGlite in a worker thread: PostgreSQL's work (parsing, planning, a wide
 * report's scan) off the app's event loop, on a core of its own. Each call
 * is a message; the thread holds the process open only while a call waits.
 * A thread that dies fails what waits, and the next call starts another.
 */
export class PgliteWorker {
  private worker?: Worker;
  private starting?: Promise<Worker>;
  private readonly waiting = new Map<number, Waiting>();
  private lastId = 0;
  private closed = false;

  private constructor(
    private readonly dataDir: string,
    private readonly upkeep: PgliteUpkeep,
    private readonly logger: UpkeepLogger,
  ) {}

  /**
   * Starts the thread and opens the folder; rejects when PGlite cannot.
   * What its upkeep does is told to `logger`.
   */
  static async open(
    dataDir: string,
    upkeep: PgliteUpkeep = DEFAULT_UPKEEP,
    logger: UpkeepLogger = new Logger('PhoneVerificationLedger'),
  ): Promise<PgliteWorker> {
    const db = new PgliteWorker(dataDir, upkeep, logger);
    await db.thread();
    return db;
  }

  /**
   * Runs one statement. With `name` (outside a transaction), it is parsed
   * once and kept prepared under that name (planned each time it runs): a
   * name always goes with the same text.
   */
  query<Row>(
    text: string,
    params: readonly unknown[] = [],
    { tx, name }: { tx?: number; name?: string } = {},
  ): Promise<PgliteAnswer<Row>> {
    return this.send({ op: 'query', text, params: [...params], tx, name });
  }

  /** Runs `work` in one transaction, committed when it resolves, rolled back when it throws. */
  async transaction<T>(
    work: (
      query: <Row>(
        text: string,
        params?: readonly unknown[],
      ) => Promise<PgliteAnswer<Row>>,
    ) => Promise<T>,
  ): Promise<T> {
    const tx = await this.send<number>({ op: 'begin' });
    let result: T;
    try {
      result = await work((text, params) => this.query(text, params, { tx }));
    } catch (error) {
      await this.send({ op: 'end', tx, commit: false }).catch(() => undefined);
      throw error;
    }
    await this.send({ op: 'end', tx, commit: true });
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker ?? (await this.starting?.catch(() => undefined));
    if (!worker) return;
    try {
      await this.send({ op: 'close' });
    } finally {
      this.worker = undefined;
      await worker.terminate();
    }
  }

  private async send<T>(message: Record<string, unknown>): Promise<T> {
    // Closed means closed: a late call must not start a thread again.
    if (this.closed && message.op !== 'close') {
      throw new Error('The embedded ledger is closed');
    }
    const worker = await this.thread();
    const id = ++this.lastId;
    return new Promise<T>((resolve, reject) => {
      if (this.waiting.size === 0) worker.ref();
      this.waiting.set(id, {
        worker,
        resolve: resolve as Waiting['resolve'],
        reject,
      });
      // A worker thread's port, not a window: there is no origin to name.
      // oxlint-disable-next-line unicorn/require-post-message-target-origin
      worker.postMessage({ ...message, id });
    });
  }

  /** The running thread, or a new one (at open, and after one died). */
  private thread(): Promise<Worker> {
    if (this.worker) return Promise.resolve(this.worker);
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private start(): Promise<Worker> {
    const worker = new Worker(PGLITE_WORKER_SOURCE, {
      eval: true,
      workerData: {
        entry: pgliteEntry(),
        dataDir: this.dataDir,
        upkeep: this.upkeep,
      },
    });
    return new Promise<Worker>((resolve, reject) => {
      worker.on(
        'message',
        (m: {
          id: number;
          result?: unknown;
          error?: { message: string; code?: string };
          upkeep?: UpkeepEvent;
        }) => {
          if (m.upkeep) return logUpkeep(this.logger, m.upkeep);
          if (m.id === 0) {
            if (m.error) {
              reject(errorOf(m.error));
              void worker.terminate();
              return;
            }
            this.worker = worker;
            worker.unref();
            resolve(worker);
            return;
          }
          const waiting = this.waiting.get(m.id);
          if (!waiting) return;
          this.waiting.delete(m.id);
          if (this.waiting.size === 0) worker.unref();
          if (m.error) waiting.reject(errorOf(m.error));
          else waiting.resolve(m.result);
        },
      );
      const stopped = (why: Error): void => {
        if (this.worker === worker) this.worker = undefined;
        reject(why);
        for (const [id, waiting] of this.waiting) {
          if (waiting.worker !== worker) continue;
          this.waiting.delete(id);
          waiting.reject(why);
        }
      };
      worker.on('error', (error) =>
        stopped(
          new Error(`The embedded ledger's thread failed: ${error.message}`),
        ),
      );
      worker.on('exit', (code) =>
        stopped(
          new Error(`The embedded ledger's thread stopped (exit code ${code})`),
        ),
      );
    });
  }
}
