// main.ts
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { PhoneVerificationExceptionFilter } from '@acedata-kit/nestjs-phone-verification';
import { AppModule } from './app.module.js';

const app = await NestFactory.create(AppModule);
app.useGlobalFilters(new PhoneVerificationExceptionFilter(app.get(HttpAdapterHost)));
await app.listen(process.env.PORT ?? 3000);
console.log(`listening on ${await app.getUrl()}`);
