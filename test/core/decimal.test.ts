import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  finestCommonIncrement,
  formatScaled,
  incrementRatio,
  parseIncrement,
  parseScaled,
  parseScaledOrNaN,
  significantDecimals,
  toUnits,
  toUnitsOrNaN,
  unitsToNumber,
  unitsToString,
} from '../../src/core/decimal.ts';
import { OrderflowError } from '../../src/core/errors.ts';

test('parses decimal strings exactly, with and without padding', () => {
  assert.equal(parseScaled('61837.63000000', 2), 6183763);
  assert.equal(parseScaled('76043.5', 2), 7604350);
  assert.equal(parseScaled('76043.50', 2), 7604350);
  assert.equal(parseScaled('0.00120000', 8), 120000);
  assert.equal(parseScaled('123', 3), 123000);
  assert.equal(parseScaled('.5', 1), 5);
  assert.equal(parseScaled('7.', 1), 70);
});

test('rejects malformed, negative, exponent and too-fine values', () => {
  for (const bad of ['', '-1', '1e5', 'abc', 'NaN', '1.2.3', ' ', '.', '0x10', '1,5']) {
    assert.ok(Number.isNaN(parseScaledOrNaN(bad, 4)), bad);
    assert.throws(
      () => parseScaled(bad, 4, 'price'),
      (e: unknown) => e instanceof OrderflowError && e.code === 'INVALID_DECIMAL',
    );
  }
  assert.throws(
    () => parseScaled('0.123', 2, 'qty'),
    (e: unknown) =>
      e instanceof OrderflowError && e.code === 'NOT_A_MULTIPLE' && /qty "0.123"/.test(e.message),
  );
  assert.ok(Number.isNaN(parseScaledOrNaN('99999999999999999', 0)), 'above 2^53');
});

test('exact parse equals BigInt arithmetic on random decimals', () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 0n, max: 10n ** 14n }),
      fc.integer({ min: 0, max: 8 }),
      fc.integer({ min: 0, max: 4 }),
      (v, d, pad) => {
        const s = v.toString().padStart(d + 1, '0');
        const text = d === 0 ? s : `${s.slice(0, s.length - d)}.${s.slice(s.length - d)}${'0'.repeat(pad)}`;
        assert.equal(parseScaled(text, d), Number(v));
        assert.equal(parseScaled(formatScaled(Number(v), d), d), Number(v), 'format → parse round-trips');
        assert.equal(
          formatScaled(Number(v), d),
          d === 0 ? s : `${s.slice(0, s.length - d)}.${s.slice(s.length - d)}`,
        );
      },
    ),
  );
});

test('increments: non power-of-ten steps, ratios and the finest common increment', () => {
  const half = parseIncrement('0.5');
  assert.deepEqual(half, { mantissa: 5, decimals: 1 });
  assert.equal(toUnits('101.5', half), 203);
  assert.ok(Number.isNaN(toUnitsOrNaN('101.2', half)));
  assert.throws(() => toUnits('101.2', half, 'price'), /not a multiple of 0.5/);
  assert.equal(incrementRatio(parseIncrement('10'), parseIncrement('0.01')), 1000);
  assert.equal(incrementRatio(parseIncrement('0.25'), parseIncrement('0.1')), undefined);
  assert.deepEqual(finestCommonIncrement(parseIncrement('0.5'), parseIncrement('0.2')), {
    mantissa: 1,
    decimals: 1,
  });
  assert.deepEqual(finestCommonIncrement(parseIncrement('0.01'), parseIncrement('0.1')), {
    mantissa: 1,
    decimals: 2,
  });
  assert.throws(() => parseIncrement('0'), /positive/);
});

test('output goes through the exact decimal: no float artefacts', () => {
  const tick = parseIncrement('0.1');
  assert.equal(unitsToNumber(3, tick), 0.3);
  assert.equal(unitsToString(3, tick), '0.3');
  assert.equal(unitsToNumber(760435, tick), 76043.5);
  assert.equal(formatScaled(-5, 3), '-0.005');
  assert.equal(significantDecimals('0.02000000'), 2);
  assert.equal(significantDecimals('100'), 0);
});
