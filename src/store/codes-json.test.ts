import { describe, expect, it } from 'vitest';
import { seededRandom } from '../sim/random.ts';
import { codesJson, mergeCodesJson } from './codes-json.ts';

const reference = (...texts: string[]): Map<number, number> => {
  const m = new Map<number, number>();
  for (const t of texts) {
    for (const [k, v] of Object.entries(JSON.parse(t) as Record<string, number>)) {
      m.set(Number(k), (m.get(Number(k)) ?? 0) + v);
    }
  }
  return m;
};

describe('codes column text', () => {
  const r = seededRandom(5);
  const randomCodes = (odd: boolean): Map<number, number> => {
    const m = new Map<number, number>();
    for (let i = r.int(0, 12); i > 0; i--) {
      const code = odd ? r.pick([0, -3, 7, 999, 100_000, -1_000_000, r.int(100, 599)]) : r.int(100, 599);
      m.set(code, r.chance(0.1) ? r.int(1, 2 ** 40) : r.int(1, 500));
    }
    return m;
  };

  it('is what JSON.stringify writes for HTTP codes', () => {
    for (let i = 0; i < 500; i++) {
      const m = randomCodes(false);
      expect(codesJson(m)).toBe(JSON.stringify(Object.fromEntries(m)));
    }
  });

  it('merges code by code, for any codes, into the text codesJson writes', () => {
    for (let i = 0; i < 2_000; i++) {
      const a = codesJson(randomCodes(i % 2 === 0));
      const b = codesJson(randomCodes(i % 3 === 0));
      const merged = mergeCodesJson(a, b);
      expect(merged).toBe(codesJson(reference(a, b)));
      expect(reference(merged)).toEqual(reference(a, b));
    }
  });

  it('merges any valid JSON text it did not write, through JSON.parse', () => {
    const spaced = '{ "200": 3, "404" : 1 }';
    expect(mergeCodesJson(spaced, '{"200":2}')).toBe('{"200":5,"404":1}');
    expect(mergeCodesJson('{"200":2}', spaced)).toBe('{"200":5,"404":1}');
    expect(mergeCodesJson('{"0200":1}', '{"200":1}')).toBe('{"200":2}');
    expect(mergeCodesJson('{}', '{}')).toBe('{}');
    expect(mergeCodesJson('{"500":1.5e1}', '{}')).toBe('{"500":15}');
  });
});
