import { ConfigurableModuleBuilder } from '@nestjs/common';
import { PHONE_VERIFICATION_MODULE_NAME } from './phone-verification.constants.js';
import type { PhoneVerificationModuleOptions } from './phone-verification.options.js';

/** Extras of `forRoot`/`forRootAsync` that are not options of the library. */
export interface PhoneVerificationModuleExtras {
  /** Register the module globally, so feature modules need not import it. */
  isGlobal?: boolean;
}

export const {
  ConfigurableModuleClass: ConfigurablePhoneVerificationModule,
  MODULE_OPTIONS_TOKEN: PHONE_VERIFICATION_MODULE_OPTIONS,
  OPTIONS_TYPE: PHONE_VERIFICATION_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: PHONE_VERIFICATION_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<PhoneVerificationModuleOptions>({
  moduleName: PHONE_VERIFICATION_MODULE_NAME,
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createPhoneVerificationOptions')
  .setExtras<PhoneVerificationModuleExtras>(
    { isGlobal: false },
    (definition, extras) => ({
      ...definition,
      global: extras.isGlobal,
    }),
  )
  .build();
