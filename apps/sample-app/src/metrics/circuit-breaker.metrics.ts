import { PhoneVerificationService } from '@app/phone-verification';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { VerificationMetrics } from './verification-metrics.js';

/** The circuit breaker's states, each a series of the gauge. */
const STATES = ['closed', 'open', 'half_open', 'isolated'] as const;

/**
 * The library's circuit breaker at scrape time: 1 for the state it is in, 0
 * for the others (absent when the breaker is off). While it is `open` (or
 * `isolated`), calls fail fast without reaching AceData.
 */
@Injectable()
export class CircuitBreakerMetrics implements OnModuleInit {
  private gauge?: Gauge;

  constructor(
    private readonly metrics: VerificationMetrics,
    private readonly verification: PhoneVerificationService,
  ) {}

  onModuleInit(): void {
    const { verification } = this;
    this.gauge = new Gauge({
      name: 'phone_verification_circuit_breaker_state',
      help: "The circuit breaker's state: 1 for the current one (closed, open, half_open, isolated)",
      labelNames: ['state'] as const,
      registers: [this.metrics.registry],
      collect() {
        const current = verification.health().circuit.state;
        if (current === 'disabled') return;
        for (const state of STATES)
          this.set({ state }, state === current ? 1 : 0);
      },
    });
  }
}
