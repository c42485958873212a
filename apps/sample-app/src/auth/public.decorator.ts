import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'sample-app:public';

/** Marks a route that needs no caller key (health, docs). */
export const Public = (): MethodDecorator & ClassDecorator =>
  SetMetadata(IS_PUBLIC, true);

export const IS_OPERATOR_ONLY = 'sample-app:operator-only';

/** Marks a route for operator keys (`SAMPLE_APP_OPERATOR_KEYS`) only; caller keys are refused. */
export const OperatorOnly = (): MethodDecorator & ClassDecorator =>
  SetMetadata(IS_OPERATOR_ONLY, true);

export const IS_METRICS = 'sample-app:metrics';

/** Marks `/metrics`: metrics keys (`SAMPLE_APP_METRICS_KEYS`) and operator keys; caller keys are refused. */
export const MetricsReaders = (): MethodDecorator & ClassDecorator =>
  SetMetadata(IS_METRICS, true);
