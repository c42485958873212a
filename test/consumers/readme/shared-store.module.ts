// shared-store.module.ts
import { Module } from '@nestjs/common';
import { PhoneVerificationModule } from '@acedata-kit/nestjs-phone-verification';

@Module({
  imports: [
    PhoneVerificationModule.forRoot({
      apiToken: process.env.ACEDATA_API_TOKEN!,
      // { url } (the library connects with ioredis, an optional peer: npm install ioredis)
      // or { client } (your ioredis client, which you close).
      redis: { url: 'redis://redis:6379', secret: process.env.PHONE_VERIFICATION_KEY_SECRET! },
      cache: { ttlMs: 24 * 3_600_000, secret: process.env.PHONE_VERIFICATION_CACHE_SECRET! },
      budget: { maxBilledPerDay: 5_000, perKey: { maxBilledPerDay: 500 } },
    }),
  ],
})
export class SharedStoreModule {}
