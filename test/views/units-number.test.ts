// The body's number conversion equals the exact-decimal-text conversion (unitsToNumber) for every value.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { unitsToNumber } from '../../src/core/decimal.ts';
import { formatTime } from '../../src/core/time.ts';
import { unitsFor } from '../../src/views/units.ts';

test('units: price, row price and qty equal unitsToNumber (same double, 0 never -0)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 999 }),
      fc.integer({ min: 0, max: 12 }),
      fc.integer({ min: 1, max: 50 }),
      fc.integer({ min: -1e11, max: 1e11 }),
      (mantissa, decimals, rowTicks, units) => {
        const inc = { mantissa, decimals };
        const u = unitsFor({ price: inc, qty: inc, volumeUnit: 'base' }, rowTicks);
        const want = unitsToNumber(units, inc);
        assert.ok(Object.is(u.price(units), want), `${units} × ${mantissa}e-${decimals}`);
        assert.ok(Object.is(u.qty(units), want));
        assert.ok(Object.is(u.rowPrice(units), unitsToNumber(units * rowTicks, inc)));
      },
    ),
    { numRuns: 5000 },
  );
});

test('units: hand-worked values and the zero rule', () => {
  const u = unitsFor(
    { price: { mantissa: 1, decimals: 2 }, qty: { mantissa: 1, decimals: 5 }, volumeUnit: 'base' },
    1000,
  );
  // 0.1 + 0.2 style: 30 ticks of 0.01 is exactly the double nearest 0.3.
  assert.equal(u.price(30), 0.3);
  assert.equal(u.qty(-123), -0.00123);
  // row 6 of 1000 ticks of 0.01 → 60.00
  assert.equal(u.rowPrice(6), 60);
  assert.ok(Object.is(u.qty(-0), 0));
  assert.throws(() => u.price(2 ** 60));
});

test('units: time equals formatTime for repeated and alternating values', () => {
  const u = unitsFor(
    { price: { mantissa: 1, decimals: 2 }, qty: { mantissa: 1, decimals: 5 }, volumeUnit: 'base' },
    1,
  );
  const seq = [0, 60_000_000, 0, 60_000_000, 120_000_000, 1_500_000, 1_500_000, 0, -1];
  for (const us of seq) assert.equal(u.time(us), formatTime(us));
});

test('units: time equals formatTime for any µs (whole seconds take the fast path)', () => {
  const u = unitsFor(
    { price: { mantissa: 1, decimals: 2 }, qty: { mantissa: 1, decimals: 5 }, volumeUnit: 'base' },
    1,
  );
  fc.assert(
    fc.property(
      fc.oneof(
        fc.integer({ min: 0, max: 253_402_300_799 }).map((s) => s * 1_000_000),
        fc.integer({ min: -1e17, max: 3e17 }),
      ),
      (us) => {
        assert.equal(u.time(us), formatTime(us));
      },
    ),
    { numRuns: 5000 },
  );
  // Hand-worked: 2025-01-01T00:00:00Z is 1,735,689,600 s; + 1 h 2 min 3 s.
  assert.equal(u.time(1_735_689_600_000_000 + 3_723_000_000), '2025-01-01T01:02:03Z');
  assert.equal(u.time(253_402_300_799_000_000), '9999-12-31T23:59:59Z');
});
