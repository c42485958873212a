import { Module, type DynamicModule } from '@nestjs/common';
import {
  SAMPLE_APP_CONFIG,
  type SampleAppConfig,
} from './sample-app.config.js';

/** The app's validated config, read once, for every feature module. */
@Module({})
export class SampleAppConfigModule {
  static forRoot(config: SampleAppConfig): DynamicModule {
    return {
      module: SampleAppConfigModule,
      global: true,
      providers: [{ provide: SAMPLE_APP_CONFIG, useValue: config }],
      exports: [SAMPLE_APP_CONFIG],
    };
  }
}
