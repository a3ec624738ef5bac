import { describe, expect, it } from 'vitest';
import { RecentErrors, type RecentError } from './recent-errors.js';

const error = (n: number): RecentError => ({
  at: new Date(n).toISOString(),
  method: 'GET',
  path: `/x/${n}`,
  route: 'unmatched',
  status: 404,
});

describe('RecentErrors', () => {
  it('lists what it recorded, newest first', () => {
    const recent = new RecentErrors(5);
    [1, 2, 3].forEach((n) => recent.record(error(n)));
    expect(recent.list().map((e) => e.path)).toEqual(['/x/3', '/x/2', '/x/1']);
    expect(recent.total).toBe(3);
  });

  it('keeps only the newest `capacity` errors and counts every one', () => {
    const recent = new RecentErrors(4);
    for (let n = 1; n <= 11; n++) recent.record(error(n));
    expect(recent.list().map((e) => e.path)).toEqual(['/x/11', '/x/10', '/x/9', '/x/8']);
    expect(recent.total).toBe(11);
  });

  it('is empty before the first error', () => {
    expect(new RecentErrors().list()).toEqual([]);
  });
});
