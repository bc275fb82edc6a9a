import { median, percentile } from '../../../subgraphs/inventory/governance/percentile';

describe('percentile (linear between closest ranks, numpy default)', () => {
  it('has no percentile of nothing', () => {
    expect(percentile([], 50)).toBeNull();
    expect(median([])).toBeNull();
  });

  it('is the value itself for one value, at any p', () => {
    expect(percentile([7], 0)).toBe(7);
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([7], 100)).toBe(7);
  });

  it('interpolates between two values', () => {
    expect(median([2, 4])).toBe(3);
    expect(percentile([2, 4], 90)).toBeCloseTo(3.8, 12);
    expect(percentile([4, 2], 0)).toBe(2);
    expect(percentile([4, 2], 100)).toBe(4);
  });

  it('matches numpy on 1..10 whatever the input order', () => {
    const values = [10, 3, 1, 7, 2, 9, 4, 8, 6, 5];
    expect(median(values)).toBe(5.5);
    expect(percentile(values, 90)).toBeCloseTo(9.1, 12);
    expect(percentile(values, 25)).toBeCloseTo(3.25, 12);
    expect(values[0]).toBe(10);
  });

  it('lands on a rank exactly when there is one, and handles negatives', () => {
    expect(median([1, 2, 3])).toBe(2);
    expect(percentile([-3, -1, 5], 50)).toBe(-1);
    expect(percentile([-3, -1, 5], 75)).toBe(2);
  });

  it('refuses a p outside 0..100', () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], -1)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});
