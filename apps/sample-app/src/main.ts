import { Logger } from '@nestjs/common';
import { createSampleApp } from './sample-app.factory.js';

const logger = new Logger('SampleApp');
const { app, config, shutdown } = await createSampleApp();
await (config.host
  ? app.listen(config.port, config.host)
  : app.listen(config.port));
logger.log(
  `listening on ${await app.getUrl()} (POST /identity/phone/check-3e, GET /health, /docs)`,
);

// Graceful shutdown: stop accepting, close idle keep-alive sockets, let
// in-flight verifications finish (one abandoned half-way may still be
// billed), then exit 0. Past the deadline, exit 1 anyway and say how many
// requests were cut off.
let stopping = false;
const shutDown = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  logger.log(
    `${signal} received: finishing ${shutdown.inFlight()} request(s) in flight`,
  );
  const deadline = setTimeout(() => {
    logger.error(
      `shutdown deadline of ${config.shutdownTimeoutMs} ms passed: exiting with ${shutdown.inFlight()} request(s) cut off`,
    );
    process.exit(1);
  }, config.shutdownTimeoutMs);
  deadline.unref();
  shutdown
    .drain()
    .then(() => app.close())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
};
process.on('SIGTERM', shutDown);
process.on('SIGINT', shutDown);
