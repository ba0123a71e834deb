import { canonicalTimeZone, todayIn, zoneCacheSizes } from '../../src/time/zones';
import { parseIsoDate } from '../../src/time/calendar';

/**
 * time/ (calendar.ts, zones.ts) keeps caches keyed by what callers send (zone spellings, date strings): they stay
 * bounded whatever is sent, and the answers do not change.
 */
describe('time/ caches stay bounded whatever callers send', () => {
  it('thousands of case spellings of a zone alias keep at most 1,000 formatters, answers unchanged', () => {
    // An alias Intl accepts but does not list keeps the caller's spelling: every variant is its own key.
    const base = 'America/Argentina/ComodRivadavia';
    const spellings = Array.from({ length: 3_000 }, (_, i) =>
      [...base].map((c, j) => ((i >> (j % 12)) & 1 ? c.toUpperCase() : c.toLowerCase())).join(''),
    );
    const distinct = [...new Set(spellings)];
    expect(distinct.length).toBeGreaterThan(1_000);
    const today = todayIn('America/Argentina/Catamarca', Date.UTC(2025, 11, 1, 12));
    for (const s of distinct) {
      expect(canonicalTimeZone(s)).toBe(s);
      expect(todayIn(s, Date.UTC(2025, 11, 1, 12))).toBe(today);
    }
    expect(zoneCacheSizes().formatters).toBeLessThanOrEqual(1_000);
    expect(zoneCacheSizes().slots).toBeLessThanOrEqual(200_000);
  });

  it('listed zones keep their listed spelling, unknown ones are refused', () => {
    expect(canonicalTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeNull();
  });

  it('long strings are answered without being memoized (and still refused)', () => {
    expect(parseIsoDate(`2025-12-01${' '.repeat(100_000)}`)).toBeNull();
    expect(parseIsoDate('2025-12-01')).toBe(20423);
  });
});
