import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Serves the OpenAPI document at `/docs` (UI) and `/docs-json`. */
export function setUpApiDocs(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Phone three-elements verification')
    .setDescription(
      'AceData-compatible `POST /identity/phone/check-3e` in front of the NestJS library. ' +
        'In sandbox mode, the test phone numbers in the README pick each answer.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'A key from SAMPLE_APP_API_KEYS',
    })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
