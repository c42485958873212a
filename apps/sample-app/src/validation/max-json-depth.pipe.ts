import {
  BadRequestException,
  Injectable,
  type ArgumentMetadata,
  type PipeTransform,
} from '@nestjs/common';

/** How deep a JSON body may nest; ours is 2 (an object holding an array). */
export const MAX_JSON_DEPTH = 8;

/** The nesting depth of a parsed JSON value, measured without recursion. */
export function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    // Past the limit the answer is known: stop walking.
    if (deepest > limit) return deepest;
    for (const child of Object.values(current)) stack.push([child, level]);
  }
  return deepest;
}

/**
 * Refuses a body nested deeper than {@link MAX_JSON_DEPTH} with a 400, before
 * validation: class-transformer and class-validator walk a body recursively,
 * and a few KB of `[[[[…]]]]` would overflow the stack (a 500).
 */
@Injectable()
export class MaxJsonDepthPipe implements PipeTransform {
  constructor(private readonly maxDepth = MAX_JSON_DEPTH) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (
      metadata.type === 'body' &&
      jsonDepth(value, this.maxDepth) > this.maxDepth
    ) {
      throw new BadRequestException(
        `Request body is nested too deeply (more than ${this.maxDepth} levels)`,
      );
    }
    return value;
  }
}
