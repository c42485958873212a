import { startSandbox } from '@app/phone-verification/testing';
import {
  connectRedis,
  invalidInputExceptionFactory,
  type RedisClientLike,
} from '@app/phone-verification';
import {
  ValidationPipe,
  type INestApplication,
  type Provider,
} from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  FastifyAdapter,
  type NestFastifyApplication,
} from '@nestjs/platform-fastify';
import fastifyHelmet from '@fastify/helmet';
import helmet from 'helmet';
import type { Server } from 'node:http';
import { AppModule } from './app.module.js';
import { GracefulShutdown } from './http-server/graceful-shutdown.js';
import { applyHttpServerLimits } from './http-server/http-server-limits.js';
import { setUpApiDocs } from './docs/api-docs.js';
import { AceDataShapedExceptionFilter } from './errors/http-exception.filter.js';
import { createRootLogger, PinoNestLogger } from './logging/app-logger.js';
import { createHttpLogger } from './logging/http-logger.js';
import { EmbeddedSandbox } from './sandbox-mode/embedded-sandbox.js';
import { MaxJsonDepthPipe } from './validation/max-json-depth.pipe.js';
import {
  DEVELOPMENT_API_KEY,
  loadSampleAppConfig,
  type SampleAppConfig,
} from './sample-app.config.js';

/** JSON bodies larger than this are refused with 413: a real body is ~200 bytes. */
export const BODY_LIMIT_BYTES = 8 * 1024;

/** How to build the app. */
export interface CreateSampleAppOptions {
  /** The environment to read; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
}

/** The built (not yet listening) app and what it was built from. */
export interface SampleApp {
  app: INestApplication;
  config: SampleAppConfig;
  /** Drains the HTTP server on SIGTERM. */
  shutdown: GracefulShutdown;
}

/**
 * Validates the environment, starts the sandbox when no AceData token is
 * configured (refused in production), and builds the app, on Express or
 * Fastify (`SAMPLE_APP_ADAPTER`), with its logging,
 * security headers, pipes, filters, body limit and docs. The caller decides
 * when to `listen()`.
 */
export async function createSampleApp(
  options: CreateSampleAppOptions = {},
): Promise<SampleApp> {
  const config = loadSampleAppConfig(options.env ?? process.env);
  const rootLogger = createRootLogger(config.logLevel);
  const logger = new PinoNestLogger(rootLogger);
  const providers: Provider[] = [];
  let acedata = config.acedata;
  if (config.sandboxMode) {
    const sandbox = await startSandbox({ latencyMs: config.sandboxLatencyMs });
    acedata = { ...acedata, apiToken: sandbox.token, baseUrl: sandbox.url };
    providers.push({
      provide: EmbeddedSandbox,
      useValue: new EmbeddedSandbox(sandbox),
    });
    logger.warn(
      `SANDBOX MODE: no ACEDATA_API_TOKEN is set, so verifications go to a local sandbox at ${sandbox.url}, ` +
        'not to AceData. Answers are fake and nothing is billed. Set ACEDATA_API_TOKEN for real checks.',
      'SampleApp',
    );
  }
  if (config.usingDevelopmentKey) {
    logger.warn(
      `No SAMPLE_APP_API_KEYS set: callers authenticate with the development key "${DEVELOPMENT_API_KEY}".`,
      'SampleApp',
    );
  }
  // One Redis connection for the library (cache, single flight, budgets)
  // and the throttler; the app closes it after draining.
  let redis: RedisClientLike | undefined;
  if (acedata.redis?.url) {
    redis = await connectRedis(acedata.redis.url);
    acedata = {
      ...acedata,
      redis: { ...acedata.redis, url: undefined, client: redis },
    };
    logger.log(
      'REDIS_URL is set: cache, single flight, rate limits and budgets are shared with every instance on it',
      'SampleApp',
    );
  }
  const module = AppModule.forRoot({ config, acedata, providers, redis });
  let app: INestApplication;
  if (config.adapter === 'fastify') {
    const fastifyApp = await NestFactory.create<NestFastifyApplication>(
      module,
      new FastifyAdapter({
        bodyLimit: BODY_LIMIT_BYTES,
        trustProxy: (_address: string, hop: number) => hop < config.trustProxy,
      }),
      { logger },
    );
    fastifyApp.use(createHttpLogger(rootLogger));
    await fastifyApp.register(fastifyHelmet);
    app = fastifyApp;
  } else {
    const expressApp = await NestFactory.create<NestExpressApplication>(
      module,
      {
        bodyParser: false,
        logger,
      },
    );
    expressApp.disable('x-powered-by');
    expressApp.set('trust proxy', config.trustProxy);
    expressApp.use(createHttpLogger(rootLogger));
    expressApp.use(helmet());
    expressApp.useBodyParser('json', { limit: BODY_LIMIT_BYTES });
    app = expressApp;
  }
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: [...config.corsOrigins],
      methods: ['POST', 'GET'],
      maxAge: 600,
    });
  }
  app.useGlobalPipes(
    new MaxJsonDepthPipe(),
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: invalidInputExceptionFactory,
    }),
  );
  const adapterHost = app.get(HttpAdapterHost);
  app.useGlobalFilters(new AceDataShapedExceptionFilter(adapterHost));
  setUpApiDocs(app);
  const server = app.getHttpServer() as Server;
  applyHttpServerLimits(server, config.http);
  return { app, config, shutdown: new GracefulShutdown(server) };
}
