import {
  sandboxModeWarning,
  startSandbox,
} from '@app/phone-verification/sandbox';
import { invalidInputExceptionFactory } from '@app/phone-verification';
import {
  ValidationPipe,
  type DynamicModule,
  type INestApplication,
  type LoggerService,
  type Provider,
} from '@nestjs/common';
import type { Logger } from 'pino';
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
import {
  stdoutDestination,
  type LogDestination,
} from './logging/log-destination.js';
import { createHttpLogger } from './logging/http-logger.js';
import { EmbeddedSandbox } from './sandbox-mode/embedded-sandbox.js';
import { MaxJsonDepthPipe } from './validation/max-json-depth.pipe.js';
import { traceServerRequests } from './tracing/server-spans.js';
import { tracingStarted } from './tracing/tracing.js';
import {
  DEVELOPMENT_API_KEY,
  loadSampleAppConfig,
  type SampleAppConfig,
} from './sample-app.config.js';

/** JSON bodies larger than this are refused with 413: a real body is ~200 bytes. */
export const BODY_LIMIT_BYTES = 8 * 1024;

/** The built (not yet listening) app and what it was built from. */
export interface SampleApp {
  app: INestApplication;
  config: SampleAppConfig;
  /** Drains the HTTP server on SIGTERM. */
  shutdown: GracefulShutdown;
  /** Where the logs go; released before the process exits. */
  logs: LogDestination;
}

/**
 * Validates the environment (`process.env`, read once: the library's
 * variables through its own reader), starts the sandbox when no AceData
 * token is configured (refused in production), and builds the app, on Express or
 * Fastify (`SAMPLE_APP_ADAPTER`), with its logging,
 * security headers, pipes, filters, body limit and docs. The caller decides
 * when to `listen()`.
 */
export async function createSampleApp(): Promise<SampleApp> {
  const envConfig = loadSampleAppConfig(process.env);
  const logs = stdoutDestination();
  const rootLogger = createRootLogger(envConfig.logLevel, logs);
  const logger = new PinoNestLogger(rootLogger);
  if (envConfig.usingDevelopmentKey) {
    logger.warn(
      `No SAMPLE_APP_API_KEYS set: callers authenticate with the development key "${DEVELOPMENT_API_KEY}".`,
      'SampleApp',
    );
  }
  const providers: Provider[] = [];
  const config = await withEmbeddedSandbox(envConfig, providers, logger);
  logSharedRedis(config, logger);
  const module = AppModule.forRoot({ config, providers });
  const app =
    config.adapter === 'fastify'
      ? await createFastifyApp(module, config, rootLogger, logger)
      : await createExpressApp(module, config, rootLogger, logger);
  handleRequests(app, config);
  const server = app.getHttpServer() as Server;
  if (tracingStarted()) traceServerRequests(server);
  applyHttpServerLimits(server, config.http);
  return { app, config, shutdown: new GracefulShutdown(server), logs };
}

/** In sandbox mode, starts the sandbox and points the library's options at it. */
async function withEmbeddedSandbox(
  config: SampleAppConfig,
  providers: Provider[],
  logger: LoggerService,
): Promise<SampleAppConfig> {
  if (!config.sandboxMode) return config;
  const sandbox = await startSandbox({ latencyMs: config.sandboxLatencyMs });
  providers.push({
    provide: EmbeddedSandbox,
    useValue: new EmbeddedSandbox(sandbox),
  });
  logger.warn(sandboxModeWarning(sandbox.url), 'SampleApp');
  return {
    ...config,
    acedata: {
      ...config.acedata,
      apiToken: sandbox.token,
      baseUrl: sandbox.url,
    },
  };
}

/**
 * Says which Redis the instances share (`REDIS_URL`, `REDIS_CLUSTER_NODES`
 * or `REDIS_SENTINELS`): the library connects to it, and the throttler
 * uses the library's handle.
 */
function logSharedRedis(config: SampleAppConfig, logger: LoggerService): void {
  const redisOptions = config.acedata.redis;
  if (!redisOptions) return;
  const which = redisOptions.url
    ? 'REDIS_URL'
    : 'cluster' in redisOptions
      ? 'REDIS_CLUSTER_NODES'
      : 'REDIS_SENTINELS';
  logger.log(
    `${which} is set: cache, single flight, rate limits and budgets are shared with every instance on it`,
    'SampleApp',
  );
}

async function createFastifyApp(
  module: DynamicModule,
  config: SampleAppConfig,
  rootLogger: Logger,
  logger: LoggerService,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    new FastifyAdapter({
      bodyLimit: BODY_LIMIT_BYTES,
      trustProxy: (_address: string, hop: number) => hop < config.trustProxy,
    }),
    { logger },
  );
  app.use(createHttpLogger(rootLogger));
  await app.register(fastifyHelmet);
  return app;
}

async function createExpressApp(
  module: DynamicModule,
  config: SampleAppConfig,
  rootLogger: Logger,
  logger: LoggerService,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bodyParser: false,
    logger,
  });
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(createHttpLogger(rootLogger));
  app.use(helmet());
  app.useBodyParser('json', { limit: BODY_LIMIT_BYTES });
  return app;
}

/** CORS, the input pipes, the one error filter and the API docs (when served). */
function handleRequests(app: INestApplication, config: SampleAppConfig): void {
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
  if (config.apiDocs) setUpApiDocs(app);
}
