// ledger.module.ts
import { Module } from '@nestjs/common';
import { PhoneVerificationModule } from '@acedata-kit/nestjs-phone-verification';

@Module({
  imports: [
    PhoneVerificationModule.forRoot({
      apiToken: process.env.ACEDATA_API_TOKEN!,
      ledger: {
        // npm install pg; or { pglite: { dataDir: './data/ledger' } } with npm install @electric-sql/pglite
        store: { postgres: { url: process.env.DATABASE_URL! } },
        secret: process.env.PHONE_VERIFICATION_LEDGER_SECRET!, // ≥ 32 chars, the same on every replica
        whenStoreDown: 'refuse', // or 'spool', with spoolDir: a local folder
      },
    }),
  ],
})
export class LedgerModule {}
