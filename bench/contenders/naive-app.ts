// What a user writes by hand: a plain NestJS controller posting the body to
// the API with HttpService and returning the data. No validation, no auth.
import { HttpModule, HttpService } from '@nestjs/axios';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { firstValueFrom } from 'rxjs';

const upstream = `${process.env.UPSTREAM_URL}/identity/phone/check-3e`;
const token = process.env.UPSTREAM_TOKEN ?? '';

@Controller('identity/phone')
class NaiveController {
  constructor(private readonly http: HttpService) {}

  @Post('check-3e')
  @HttpCode(200)
  async check(@Body() body: Record<string, unknown>): Promise<unknown> {
    const answer = await firstValueFrom(
      this.http.post(upstream, body, {
        headers: { authorization: `Bearer ${token}` },
      }),
    );
    return answer.data;
  }
}

@Module({ imports: [HttpModule], controllers: [NaiveController] })
class NaiveModule {}

const app = await NestFactory.create(NaiveModule, { logger: false });
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
process.stdout.write(`listening on ${await app.getUrl()} \n`);
