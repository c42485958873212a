// kyc.controller.ts
import { Body, Controller, HttpCode, Post, UsePipes, ValidationPipe } from '@nestjs/common';
import {
  PhoneVerificationService,
  VerifyPhoneDto,
  invalidInputExceptionFactory,
  maskPhone,
} from '@acedata-kit/nestjs-phone-verification';

@Controller('kyc')
export class KycController {
  constructor(private readonly phoneVerification: PhoneVerificationService) {}

  @Post('phone-check')
  @HttpCode(200)
  @UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, exceptionFactory: invalidInputExceptionFactory }))
  async check(@Body() body: VerifyPhoneDto) {
    const result = await this.phoneVerification.verify(body);
    // maskPhone normalises first: "+86 138-0000-0000" is shown as 138****0000.
    return { status: result.status, charged: result.charged, carrier: result.carrier, phone: maskPhone(body.phone) };
  }
}
