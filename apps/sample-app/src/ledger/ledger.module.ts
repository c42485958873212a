import { Module } from '@nestjs/common';
import { LedgerController } from './ledger.controller.js';

/** The operators' usage reports and erasure (`/usage`, `/usage.csv`, `/ledger/forget`). */
@Module({ controllers: [LedgerController] })
export class LedgerModule {}
