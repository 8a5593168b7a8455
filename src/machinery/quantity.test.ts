import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addQuantities,
  canonicalQuantity,
  compareQuantities,
  formatQuantity,
  intOrPercentValue,
  isPercent,
  isValidQuantity,
  parsePercent,
  parseQuantity,
  QuantityParseError,
  quantityFromMilli,
  quantityToMilli,
  quantityToNumber,
  quantityValue,
  roundUpToMilli,
  scaledValueFromIntOrPercent,
  subtractQuantities,
} from './quantity.ts';

describe('parseQuantity', () => {
  it('reads decimal, binary and exponent suffixes', () => {
    assert.equal(parseQuantity('100m').nano, 100_000_000n);
    assert.equal(parseQuantity('1.5').nano, 1_500_000_000n);
    assert.equal(parseQuantity('2Gi').nano, 2n * 1024n ** 3n * 1_000_000_000n);
    assert.equal(parseQuantity('1e3').nano, 1000n * 1_000_000_000n);
    assert.equal(parseQuantity('1E3').format, 'DecimalExponent');
    assert.equal(parseQuantity('500Mi').format, 'BinarySI');
    assert.equal(parseQuantity('1k').nano, 1000n * 1_000_000_000n);
    assert.equal(parseQuantity('1E').nano, 10n ** 18n * 1_000_000_000n);
    assert.equal(parseQuantity('10n').nano, 10n);
    assert.equal(parseQuantity('3u').nano, 3000n);
    assert.equal(parseQuantity('-2').nano, -2_000_000_000n);
    assert.equal(parseQuantity('+.5').nano, 500_000_000n);
    assert.equal(parseQuantity('1e-3').nano, 1_000_000n);
  });

  it('accepts JSON numbers', () => {
    assert.equal(parseQuantity(2).nano, 2_000_000_000n);
    assert.equal(parseQuantity(0.25).nano, 250_000_000n);
  });

  it('rounds precision beyond nano up, away from zero', () => {
    assert.equal(parseQuantity('0.0000000001').nano, 1n);
    assert.equal(parseQuantity('-0.0000000001').nano, -1n);
  });

  it('rejects malformed quantities', () => {
    for (const bad of ['', 'abc', '1K', '1kb', '1.2.3', '1e', 'e3', '1 Gi', '--1', '1Gi3', '.']) {
      assert.throws(() => parseQuantity(bad), QuantityParseError, bad);
      assert.equal(isValidQuantity(bad), false, bad);
    }
    assert.equal(isValidQuantity({}), false);
    assert.equal(isValidQuantity(undefined), false);
  });
});

describe('formatQuantity', () => {
  const cases: [string, string][] = [
    ['1000m', '1'],
    ['1024Mi', '1Gi'],
    ['0.5', '500m'],
    ['1500', '1500'],
    ['2000', '2k'],
    ['1.5Gi', '1536Mi'],
    ['1536Mi', '1536Mi'],
    ['0.5Ki', '512'],
    ['1Ki', '1Ki'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['100e-3', '100e-3'],
    ['0', '0'],
    ['-0', '0'],
    ['0Gi', '0'],
    ['-1Gi', '-1Gi'],
    ['1000k', '1M'],
    ['12345678n', '12345678n'],
    ['0.1m', '100u'],
    ['1.1Ki', '1126400m'],
    ['1000E', '1e21'],
  ];
  for (const [input, want] of cases) {
    it(`${input} → ${want}`, () => assert.equal(canonicalQuantity(input), want));
  }

  it('caps binary quantities at the int64 maximum', () => {
    assert.equal(parseQuantity('16Ei').nano, ((1n << 63n) - 1n) * 1_000_000_000n);
  });
});

describe('arithmetic and conversions', () => {
  it('converts to milli and whole units rounding up', () => {
    assert.equal(quantityToMilli('1.5'), 1500n);
    assert.equal(quantityToMilli('100m'), 100n);
    assert.equal(quantityToMilli('1n'), 1n);
    assert.equal(quantityToMilli('-1n'), -1n);
    assert.equal(quantityValue('1500m'), 2n);
    assert.equal(quantityValue('1Ki'), 1024n);
    assert.equal(quantityToNumber('250m'), 0.25);
  });

  it('compares across formats', () => {
    assert.equal(compareQuantities('1Gi', '1073741824'), 0);
    assert.equal(compareQuantities('1G', '1Gi'), -1);
    assert.equal(compareQuantities('2', '1500m'), 1);
  });

  it('adds and subtracts keeping the first format', () => {
    assert.equal(formatQuantity(addQuantities('1Gi', '1Gi')), '2Gi');
    assert.equal(formatQuantity(subtractQuantities('1', '250m')), '750m');
    assert.equal(formatQuantity(quantityFromMilli(2500n)), '2500m');
    assert.equal(formatQuantity(roundUpToMilli(parseQuantity('0.5m'))), '1m');
  });
});

describe('int-or-string', () => {
  it('recognises percentages', () => {
    assert.equal(isPercent('25%'), true);
    assert.equal(isPercent('25'), false);
    assert.equal(isPercent('-5%'), false);
    assert.equal(parsePercent('40%'), 40);
    assert.equal(parsePercent(40), undefined);
    assert.equal(intOrPercentValue('25%'), 25);
    assert.equal(intOrPercentValue(3), 3);
    assert.equal(intOrPercentValue('x'), 0);
  });

  it('scales percentages against a total', () => {
    assert.equal(scaledValueFromIntOrPercent('25%', 10, true), 3);
    assert.equal(scaledValueFromIntOrPercent('25%', 10, false), 2);
    assert.equal(scaledValueFromIntOrPercent(4, 10, true), 4);
    assert.throws(() => scaledValueFromIntOrPercent('5', 10, true), /not a percentage/);
    assert.throws(() => scaledValueFromIntOrPercent(undefined, 10, true), /nil/);
  });
});
