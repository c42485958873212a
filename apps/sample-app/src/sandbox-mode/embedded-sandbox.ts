import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { RunningSandbox } from '@app/phone-verification/sandbox';

/**
 * The sandbox the app started for itself in sandbox mode; closed after the
 * HTTP server has drained, so in-flight verifications still get answers.
 */
@Injectable()
export class EmbeddedSandbox implements OnApplicationShutdown {
  private readonly logger = new Logger('SandboxMode');

  constructor(readonly sandbox: RunningSandbox) {}

  async onApplicationShutdown(): Promise<void> {
    await this.sandbox.close();
    this.logger.log('sandbox stopped');
  }
}
