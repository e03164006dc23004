import { describe, expect, it } from 'vitest';
import { confidence } from '../../src/personalization/confidence.js';
import { estimateHousehold } from '../../src/personalization/household.js';
import { personalize } from '../../src/personalization/personalize.js';
import { applyEvents } from '../../src/personalization/profile-update.js';
import { profileView, viewReorder, viewTime, VIEW_RESOLUTION_MS } from '../../src/personalization/profile-view.js';
import { reorderItems } from '../../src/personalization/reorder.js';
import { usualItems } from '../../src/personalization/usual.js';
import { config, day, hit, hits, profileFrom, purchase, record } from './fixtures.js';

const cfg = config();
const weekly = [0, 7, 14, 21, 28].map((d) => purchase(day(d), 'milk', 'bread', { id: 'eggs', quantity: 2 }));

describe('profile view', () => {
  it('is computed once per profile, config and minute', () => {
    const p = profileFrom(weekly, day(28));
    const now = day(33) + 5_000;
    const view = profileView(p, cfg, now);
    expect(profileView(p, cfg, now + 50_000)).toBe(view); // same minute
    expect(profileView(p, cfg, viewTime(now) + VIEW_RESOLUTION_MS)).not.toBe(view); // next minute
    expect(profileView(p, config({ halfLifeDays: 7 }), now)).not.toBe(view); // another config
    expect(profileView(profileFrom(weekly, day(28)), cfg, now)).not.toBe(profileView(p, cfg, now)); // another profile object
  });

  it('holds what the engine would compute at the minute', () => {
    const p = profileFrom(weekly, day(28));
    const now = day(34) + 12_345;
    const at = viewTime(now);
    expect(at).toBe(day(34));
    const view = profileView(p, cfg, now);
    expect(view.usual).toEqual(usualItems(p, cfg.usual));
    expect(view.confidence).toBe(confidence(p, at, cfg.halfLifeDays));
    expect(view.household).toEqual(estimateHousehold(p));
    expect(viewReorder(view, false, false)).toEqual(reorderItems(p, at, cfg.reorder));
    expect(viewReorder(view, true, false)).toEqual(reorderItems(p, at, cfg.reorder, { householdCycleDays: estimateHousehold(p)?.stapleCycleDays }));
    expect(viewReorder(view, false, false).map((r) => r.id).sort()).toEqual(['bread', 'eggs', 'milk']);
    expect(view.product.get('milk')).toBeGreaterThan(0.5);
    expect(view.product.has('cheese')).toBe(false);
  });

  it('never answers for an older profile: an update makes a new object and a new view', () => {
    const first = applyEvents({ profile: null, session: null }, weekly, day(28), cfg);
    const page = hits(hit('cheese'), hit('crackers'), hit('milk'));
    const before = personalize({ hits: page, record: record(first.profile), strength: 1, config: cfg, now: day(30), explain: false });
    expect(before.order[0]).toBe(2); // milk, the staple, first
    const later = applyEvents(first, [purchase(day(30), 'crackers'), purchase(day(30) + 1_000, { id: 'crackers', quantity: 3 })], day(30), cfg);
    expect(later.profile).not.toBe(first.profile);
    const after = personalize({ hits: page, record: record(later.profile), strength: 1, config: cfg, now: day(30) + 2_000, explain: false });
    expect(after.order.indexOf(1)).toBeLessThan(after.order.indexOf(0)); // crackers now above cheese
    expect(profileView(later.profile!, cfg, day(30)).product.get('crackers')).toBeGreaterThan(0);
    expect(profileView(first.profile!, cfg, day(30)).product.has('crackers')).toBe(false);
  });

  it('leaves personalize() a pure function of its input: the same answer from a fresh or a cached view', () => {
    const p = profileFrom(weekly, day(28));
    const page = hits(hit('cheese'), hit('eggs'), hit('bread'), hit('milk'));
    const input = { hits: page, record: record(p), strength: 0.7, config: cfg, now: day(35) + 30_000, explain: true };
    const cold = personalize({ ...input, record: record(profileFrom(weekly, day(28))) });
    expect(personalize(input)).toEqual(cold);
    expect(personalize(input)).toEqual(cold); // second call reads the cached view
  });
});
