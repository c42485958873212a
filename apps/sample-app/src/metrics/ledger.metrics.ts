import {
  PHONE_VERIFICATION_LEDGER,
  type UsageLedger,
} from '@app/phone-verification';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { VerificationMetrics } from './verification-metrics.js';

/**
 * Gauges of the usage ledger read at scrape time: whether its store takes
 * writes, and how many writes wait for it (spooled or in memory). Absent
 * without a ledger.
 */
@Injectable()
export class LedgerMetrics implements OnModuleInit {
  private readonly gauges: Gauge[] = [];

  constructor(
    private readonly metrics: VerificationMetrics,
    @Inject(PHONE_VERIFICATION_LEDGER)
    private readonly ledger: UsageLedger | null,
  ) {}

  onModuleInit(): void {
    const { ledger } = this;
    if (!ledger) return;
    const registers = [this.metrics.registry];
    const up = new Gauge({
      name: 'phone_verification_ledger_store_up',
      help: "Whether the usage ledger's store takes writes (1) or is away (0): calls are then refused, or spooled",
      registers,
      collect() {
        this.set(ledger.storeAvailable() ? 1 : 0);
      },
    });
    const waiting = new Gauge({
      name: 'phone_verification_ledger_waiting_writes',
      help: 'Usage ledger writes waiting for its store (spooled to disk, or in memory)',
      registers,
      collect() {
        this.set(ledger.backlog());
      },
    });
    const unrecorded = new Gauge({
      name: 'phone_verification_ledger_unrecorded_writes',
      help: 'Usage ledger writes not on record since start: set_aside (refused by the store for their content even with their money facts alone), free_answer_dropped (a cache or shared answer past a full in-memory backlog)',
      labelNames: ['kind'] as const,
      registers,
      collect() {
        const { setAside, freeAnswersDropped } = ledger.unrecorded();
        this.set({ kind: 'set_aside' }, setAside);
        this.set({ kind: 'free_answer_dropped' }, freeAnswersDropped);
      },
    });
    this.gauges.push(up, waiting, unrecorded);
  }
}
