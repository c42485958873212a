import { Module } from '@nestjs/common';
import { Check3eController } from './check-3e.controller.js';

/** The three-elements check, AceData-compatible, in front of the library. */
@Module({ controllers: [Check3eController] })
export class VerificationModule {}
