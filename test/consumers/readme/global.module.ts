// global.module.ts
import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { PhoneVerificationModule } from '@acedata-kit/nestjs-phone-verification';

@Module({
  imports: [
    ConfigModule.forRoot(),
    PhoneVerificationModule.forRootAsync({
      isGlobal: true, // PhoneVerificationService in every module, without importing it again
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        apiToken: config.getOrThrow('ACEDATA_API_TOKEN'),
        timeoutMs: 10_000,
        cache: { ttlMs: 24 * 3_600_000, secret: config.getOrThrow('PHONE_VERIFICATION_CACHE_SECRET') },
      }),
    }),
  ],
})
export class GlobalModule {}
