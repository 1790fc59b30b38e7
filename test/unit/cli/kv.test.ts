import { describe, expect, it } from 'vitest';
import { GamedayError } from '../../../src/core/errors.js';
import { parseParams, parseTargetList, scalar } from '../../../src/cli/kv.js';

const POD_KILL_KEYS = ['namespace', 'selector'];

describe('parseTargetList', () => {
  it.each<[string, readonly string[], Record<string, string>]>([
    ['namespace=shop', POD_KILL_KEYS, { namespace: 'shop' }],
    ['namespace=shop,selector=app=checkout', POD_KILL_KEYS, { namespace: 'shop', selector: 'app=checkout' }],
    // a label selector with a comma stays one value when what follows is not a known key
    ['namespace=shop,selector=app=checkout,tier=web', POD_KILL_KEYS, { namespace: 'shop', selector: 'app=checkout,tier=web' }],
    ['selector=app=checkout,tier=web,namespace=shop', POD_KILL_KEYS, { selector: 'app=checkout,tier=web', namespace: 'shop' }],
    ['selector=app in (a,b),namespace=shop', POD_KILL_KEYS, { selector: 'app in (a,b)', namespace: 'shop' }],
    ['selector=app=checkout,tier!=db', POD_KILL_KEYS, { selector: 'app=checkout,tier!=db' }],
    [' namespace = shop , selector = app=x ', POD_KILL_KEYS, { namespace: 'shop', selector: 'app=x' }],
    ['namespace=', POD_KILL_KEYS, { namespace: '' }],
    // without known keys any word= starts a pair
    ['a=1,b=2', [], { a: '1', b: '2' }],
    ['selector=app=checkout,tier=web', [], { selector: 'app=checkout', tier: 'web' }],
    ['url=http://x/?a=1,b', [], { url: 'http://x/?a=1,b' }],
  ])('%j with keys %j', (text, keys, expected) => {
    expect(parseTargetList(text, keys)).toEqual(expected);
  });

  it.each([
    ['shop', /"shop" is not key=value/],
    ['namespace=a,namespace=b', /"namespace" given twice/],
    ['', /"" is not key=value/],
  ])('%j is refused', (text, message) => {
    let err: unknown;
    try {
      parseTargetList(text, POD_KILL_KEYS);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GamedayError);
    expect((err as GamedayError).code).toBe('INVALID_INPUT');
    expect((err as GamedayError).message).toMatch(message);
  });

  it('an unknown key after a comma is part of the previous value, not a new pair', () => {
    expect(parseTargetList('namespace=shop,colour=red', POD_KILL_KEYS)).toEqual({ namespace: 'shop,colour=red' });
  });
});

describe('parseParams', () => {
  it('turns numbers and booleans into numbers and booleans, keeps the rest as text', () => {
    expect(parseParams(['count=2', 'percent=12.5', 'neg=-3', 'onlyRunning=false', 'dry=true', 'mode=percent', 'minAge=5m', 'selector=a=b', 'v=', 'ver=1.2.3', 'hex=0x10', 'big=007'])).toEqual({
      count: 2,
      percent: 12.5,
      neg: -3,
      onlyRunning: false,
      dry: true,
      mode: 'percent',
      minAge: '5m',
      selector: 'a=b',
      v: '',
      ver: '1.2.3',
      hex: '0x10',
      big: 7,
    });
  });

  it('a later value wins', () => {
    expect(parseParams(['count=1', 'count=3'])).toEqual({ count: 3 });
  });

  it.each(['count', '=2', ''])('%j is refused with a hint', (item) => {
    expect(() => parseParams([item])).toThrowError(/is not key=value/);
  });

  it.each<[string, string | number | boolean]>([
    ['true', true],
    ['false', false],
    ['True', 'True'],
    ['0', 0],
    ['-1.5', -1.5],
    ['1.', '1.'],
    ['', ''],
    ['yes', 'yes'],
  ])('scalar(%j) = %j', (v, expected) => {
    expect(scalar(v)).toBe(expected);
  });
});
