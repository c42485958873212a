import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { BudgetExhaustedError } from './budget.errors.js';
import { InvalidInputError } from './invalid-input.error.js';
import type { PhoneVerificationError } from './phone-verification.error.js';
import { UpstreamTimeoutError } from './transport.errors.js';

let thrown: PhoneVerificationError;

@Controller()
class ThrowingController {
  @Get()
  fail(): never {
    throw thrown;
  }
}

@Module({ controllers: [ThrowingController] })
class AppWithoutTheFilter {}

/**
 * An app that forgot `PhoneVerificationExceptionFilter`: Nest's own filter
 * still answers with the status the library's filter would (it reads
 * `statusCode`, `status` and `expose`, the http-errors convention), showing
 * the message for 4xx only.
 */
describe("the library's errors under Nest's default filter", () => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await NestFactory.create(AppWithoutTheFilter, { logger: false });
    await app.init();
  });
  afterAll(() => app.close());

  it('bad input is a 400 with the field named, not a 500', async () => {
    thrown = new InvalidInputError([
      { field: 'phone', message: 'phone must not be empty' },
    ]);
    const res = await request(app.getHttpServer()).get('/');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      statusCode: 400,
      message: 'phone must not be empty',
    });
  });

  it('a spent budget is a 429', async () => {
    thrown = new BudgetExhaustedError('deployment', new Date());
    expect((await request(app.getHttpServer()).get('/')).status).toBe(429);
  });

  it('an upstream timeout is a 504 with a generic message', async () => {
    thrown = new UpstreamTimeoutError(15_000);
    const res = await request(app.getHttpServer()).get('/');
    expect(res.status).toBe(504);
    expect(res.body).toEqual({ statusCode: 504, message: 'Gateway Timeout' });
  });
});
