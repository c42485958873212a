// filter.module.ts
import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { PhoneVerificationExceptionFilter } from '@acedata-kit/nestjs-phone-verification';

@Module({
  providers: [{ provide: APP_FILTER, useClass: PhoneVerificationExceptionFilter }],
})
export class FilterModule {}
