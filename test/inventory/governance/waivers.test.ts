import { waiverEnd, waiverFor } from '../../../subgraphs/inventory/governance/waivers';

const waiver = (until: string | null) => ({ fingerprint: '368ea436cf067ca1', reason: 'CAB approved by mail (J. Doe)', until });

describe('waivers', () => {
  it('apply to their fingerprint only', () => {
    const settings = { waivers: [waiver(null)] };
    expect(waiverFor('368ea436cf067ca1', settings, new Date('2030-01-01T00:00:00Z'))).toEqual(waiver(null));
    expect(waiverFor('0000000000000000', settings, new Date('2030-01-01T00:00:00Z'))).toBeNull();
  });

  it('with a date, hold through that whole UTC day and not a millisecond after', () => {
    const settings = { waivers: [waiver('2026-12-31')] };
    expect(waiverFor('368ea436cf067ca1', settings, new Date('2026-12-31T23:59:59.999Z'))).not.toBeNull();
    expect(waiverFor('368ea436cf067ca1', settings, new Date('2027-01-01T00:00:00.000Z'))).toBeNull();
  });

  it('with a date-time, hold until that instant', () => {
    const settings = { waivers: [waiver('2026-12-01T12:00:00Z')] };
    expect(waiverFor('368ea436cf067ca1', settings, new Date('2026-12-01T11:59:59Z'))).not.toBeNull();
    expect(waiverFor('368ea436cf067ca1', settings, new Date('2026-12-01T12:00:00Z'))).toBeNull();
  });

  it('end at the right instant', () => {
    expect(waiverEnd(null)).toBe(Infinity);
    expect(new Date(waiverEnd('2026-12-31')).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(new Date(waiverEnd('2026-12-01T12:00:00+01:00')).toISOString()).toBe('2026-12-01T11:00:00.000Z');
  });
});
