import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  floorTo,
  formatTime,
  parseTime,
  parseTimeframe,
  formatTimeframe,
  US_PER_HOUR,
  US_PER_MINUTE,
} from '../../src/core/time.ts';

test('RFC3339 in: zones, fractions up to ns, date only', () => {
  assert.equal(parseTime('2024-01-01T12:00:00Z'), Date.UTC(2024, 0, 1, 12) * 1000);
  assert.equal(parseTime('2024-01-01T12:00:00.123456789Z'), Date.UTC(2024, 0, 1, 12) * 1000 + 123456);
  assert.equal(parseTime('2024-01-01T14:00:00+02:00'), Date.UTC(2024, 0, 1, 12) * 1000);
  assert.equal(parseTime('2024-01-01'), Date.UTC(2024, 0, 1) * 1000);
  for (const bad of ['2024-13-01', '2024-02-30T00:00:00Z', 'yesterday', '2024-01-01T25:00:00Z', '']) {
    assert.throws(() => parseTime(bad), /INVALID_TIME|not/);
  }
});

test('RFC3339 out round-trips every µs instant', () => {
  assert.equal(formatTime(Date.UTC(2024, 0, 1, 13) * 1000), '2024-01-01T13:00:00Z');
  assert.equal(formatTime(Date.UTC(2024, 0, 1, 13) * 1000 + 1500), '2024-01-01T13:00:00.0015Z');
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 4_102_444_800_000_000 }), (us) => {
      assert.equal(parseTime(formatTime(us)), us);
    }),
  );
});

test('timeframes', () => {
  assert.equal(parseTimeframe('1m'), US_PER_MINUTE);
  assert.equal(parseTimeframe('4h'), 4 * US_PER_HOUR);
  assert.equal(formatTimeframe(parseTimeframe('90m')), '90m');
  assert.equal(formatTimeframe(parseTimeframe('1d')), '1d');
  for (const bad of ['0m', '1w', 'm', '1.5h', '-1m']) assert.throws(() => parseTimeframe(bad), /timeframe/);
  assert.equal(floorTo(125, 60), 120);
  assert.equal(floorTo(-1, 60), -60);
});
