import { describe, expect, it } from 'vitest';
import { PoisonedJsonError, parseJsonBody } from './json.ts';

describe('parseJsonBody', () => {
  it('parses ordinary JSON', () => {
    expect(parseJsonBody('{"a":[1,"x",{"b":null}]}')).toEqual({ a: [1, 'x', { b: null }] });
    expect(parseJsonBody('{"value":"a constructor of words"}')).toEqual({ value: 'a constructor of words' });
  });

  it('refuses prototype-poisoning keys, also when written with escapes', () => {
    expect(() => parseJsonBody('{"a":{"__proto__":{"admin":true}}}')).toThrow(PoisonedJsonError);
    expect(() => parseJsonBody('{"constructor":{"prototype":{"x":1}}}')).toThrow(PoisonedJsonError);
    expect(() => parseJsonBody('{"\\u005f_proto__":{"admin":true}}')).toThrow(PoisonedJsonError);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('rejects invalid JSON', () => {
    expect(() => parseJsonBody('{"a":')).toThrow(SyntaxError);
  });
});
