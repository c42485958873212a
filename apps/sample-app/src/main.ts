import { Logger } from '@nestjs/common';
import { createSampleApp } from './sample-app.factory.js';

const logger = new Logger('SampleApp');
const { app, config } = await createSampleApp();
await (config.host
  ? app.listen(config.port, config.host)
  : app.listen(config.port));
logger.log(
  `listening on ${await app.getUrl()} (POST /identity/phone/check-3e, GET /health, /docs)`,
);

// Graceful shutdown: stop accepting, let in-flight verifications finish (a
// verification abandoned half-way may still be billed), then exit 0.
const shutDown = (signal: NodeJS.Signals): void => {
  logger.log(`${signal} received: finishing in-flight requests`);
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', shutDown);
process.once('SIGINT', shutDown);
