import { clampPageSize, clampPageSizes } from '../../connectors/core/paginate';

describe('clampPageSize', () => {
  it('keeps a whole number within 1..max, the fallback when none is asked for', () => {
    expect(clampPageSize(undefined, 100)).toBe(100);
    expect(clampPageSize(undefined, 100, 50)).toBe(50);
    expect(clampPageSize(500, 100)).toBe(100);
    expect(clampPageSize(0, 100)).toBe(1);
    expect(clampPageSize(7.9, 100)).toBe(7);
  });

  it('clamps each listing to its own maximum', () => {
    expect(clampPageSizes({ a: 5000 }, { a: 1000, b: 100 }, { a: 10, b: 20 })).toEqual({ a: 1000, b: 20 });
  });
});
