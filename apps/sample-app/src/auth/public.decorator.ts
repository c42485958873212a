import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'sample-app:public';

/** Marks a route that needs no caller key (health, docs). */
export const Public = (): MethodDecorator & ClassDecorator =>
  SetMetadata(IS_PUBLIC, true);
