// app.module.ts
import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { PhoneVerificationModule, phoneVerificationConfig } from '@acedata-kit/nestjs-phone-verification';
import { KycController } from './kyc.controller.js';
import { KycService } from './kyc.service.js';

@Module({
  imports: [
    ConfigModule.forRoot(), // loads .env, where ACEDATA_API_TOKEN may be
    PhoneVerificationModule.forRootAsync(phoneVerificationConfig.asProvider()),
  ],
  controllers: [KycController],
  providers: [KycService],
})
export class AppModule {}
