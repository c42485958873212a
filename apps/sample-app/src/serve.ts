import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { releaseForExit } from './logging/log-destination.js';
import { createSampleApp } from './sample-app.factory.js';
import type { Tracing } from './tracing/tracing.js';

/** Builds the app, listens, and drains on SIGTERM (see main.ts). */
export async function serve(tracing: Tracing | undefined): Promise<void> {
  const logger = new Logger('SampleApp');
  const { app, config, shutdown, logs } = await createSampleApp();
  await app.listen(config.port, config.host);
  const bound = app.getHttpServer().address() as AddressInfo;
  logger.log(
    `listening on ${await app.getUrl()} (bound to ${bound.address}:${bound.port}; POST /identity/phone/check-3e, GET /health, /docs)`,
  );
  if (process.env.npm_lifecycle_event) {
    // npm exits on SIGTERM without passing it on: the drain below never runs.
    logger.warn(
      `started through npm (npm run ${process.env.npm_lifecycle_event}): npm does not pass SIGTERM on, so a stop would not drain requests. In production run the app itself: node dist/apps/sample-app/src/main.js`,
    );
  }

  // Graceful shutdown: stop accepting, close idle keep-alive sockets, let
  // in-flight verifications finish (one abandoned half-way may still be
  // billed), then exit 0. Past the deadline, exit 1 anyway and say how many
  // requests were cut off. A second signal exits at once. Logging never holds
  // the exit: a closed stdout (its reader gone) drops the last lines instead.
  // Spans still buffered are sent first, within the same deadline.
  const exit = (code: number, waitForLogsMs?: number): void => {
    void (code === 0 ? flush(tracing) : Promise.resolve())
      .then(() => releaseForExit(logs, waitForLogsMs))
      .finally(() => process.exit(code));
  };
  let stopping = false;
  const shutDown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn(`${signal} received again: exiting now`);
      exit(1, 0);
      return;
    }
    stopping = true;
    logger.log(
      `${signal} received: finishing ${shutdown.inFlight()} request(s) in flight`,
    );
    const deadline = setTimeout(() => {
      logger.error(
        `shutdown deadline of ${config.shutdownTimeoutMs} ms passed: exiting with ${shutdown.inFlight()} request(s) cut off`,
      );
      exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    shutdown
      .drain()
      .then(() => app.close())
      .then(
        () => exit(0),
        () => exit(1),
      );
  };
  process.on('SIGTERM', shutDown);
  process.on('SIGINT', shutDown);
}

/** Sends the spans still buffered; a collector that is away is not waited for past the SDK's export timeout. */
async function flush(tracing: Tracing | undefined): Promise<void> {
  await tracing?.shutdown().catch(() => undefined);
}
