import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, bool, int, list, logLevel, num, optionalStr, parseEnv, port, str } from './config-env.ts';

const Env = z.object({
  A_INT: int(5, { min: 1, max: 10 }), A_NUM: num(0.5), A_PORT: port(8080), A_BOOL: bool(true), A_LIST: list(),
  A_STR: str('x'), A_OPT: optionalStr(), A_LOG: logLevel(),
});
const parse = (env: Record<string, string>) => parseEnv(Env, env, 'test');

describe('env helpers (gateway, inference and operator config)', () => {
  it('defaults when unset, and when set to "" (as Helm renders an unset value)', () => {
    const want = { A_INT: 5, A_NUM: 0.5, A_PORT: 8080, A_BOOL: true, A_LIST: [], A_STR: 'x', A_OPT: undefined, A_LOG: 'info' };
    expect(parse({})).toEqual(want);
    expect(parse(Object.fromEntries(Object.keys(want).map((k) => [k, ''])))).toEqual(want);
  });

  it('coerces values: integers, fractions, ports, exact booleans, trimmed lists', () => {
    expect(parse({ A_INT: '10', A_NUM: '2.5', A_PORT: '0', A_BOOL: 'false', A_LIST: ' a, ,b ', A_STR: 'y', A_OPT: 'z', A_LOG: 'debug' }))
      .toEqual({ A_INT: 10, A_NUM: 2.5, A_PORT: 0, A_BOOL: false, A_LIST: ['a', 'b'], A_STR: 'y', A_OPT: 'z', A_LOG: 'debug' });
  });

  it.each([
    ['A_INT', '0'], ['A_INT', '11'], ['A_INT', '1.5'], ['A_INT', 'ten'], ['A_NUM', '-1'], ['A_PORT', '65536'],
    ['A_BOOL', 'yes'], ['A_BOOL', 'TRUE'], ['A_LOG', 'verbose'],
  ])('refuses %s=%s with a ConfigError naming it', (name, value) => {
    expect(() => parse({ [name]: value })).toThrow(ConfigError);
    expect(() => parse({ [name]: value })).toThrow(new RegExp(`invalid test configuration:\\n  ${name}: `));
  });

  it('names every bad variable at once', () => {
    expect(() => parse({ A_INT: '0', A_BOOL: 'yes' })).toThrow(/A_INT[\s\S]*A_BOOL/);
  });
});
