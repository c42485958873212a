import { BadRequestException } from '@nestjs/common';
import { MaxJsonDepthPipe, jsonDepth } from './max-json-depth.pipe.js';

const nested = (levels: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = [value];
  return value;
};

describe('MaxJsonDepthPipe', () => {
  it.each([
    ['a string', 'x', 0],
    ['a flat object', { a: 1, b: 'c' }, 1],
    ['an object with an array', { list: ['a', 'b'] }, 2],
    ['10 nested arrays', nested(10), 10],
  ])('measures %s as depth %d', (_label, value, depth) => {
    expect(jsonDepth(value, 100)).toBe(depth);
  });

  it('measures 100,000 levels without overflowing the stack', () => {
    expect(jsonDepth(nested(100_000), 8)).toBe(9);
  });

  it('passes the sample body and refuses a deeper one with a 400', () => {
    const pipe = new MaxJsonDepthPipe(3);
    const body = { name: 'x', encrypt_list: ['name'] };
    expect(pipe.transform(body, { type: 'body' })).toBe(body);
    expect(() => pipe.transform({ name: nested(3) }, { type: 'body' })).toThrow(
      BadRequestException,
    );
    // Only bodies are checked.
    expect(pipe.transform(nested(5), { type: 'query' })).toEqual(nested(5));
  });
});
