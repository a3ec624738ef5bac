// The replica breaker's rules: what ejects a replica, and what brings it back.
import { describe, expect, it } from 'vitest';
import { ReplicaSet, SLOW_PROBES_TO_EJECT, type Replica } from './replicas.js';

function single(options: { ejectAfter?: number } = {}) {
  const set = new ReplicaSet({ service: 'users', urls: ['http://127.0.0.1:1'], ...options });
  const replica = set.replicas[0]!;
  set.probed(replica, undefined);
  return { set, replica };
}

describe('ReplicaSet', () => {
  it('ejects at once on a probe answered "not ready" or refused', () => {
    const { set, replica } = single();
    set.probed(replica, '/health/ready answered 503');
    expect(replica.state).toBe('ejected');
    expect(set.pick()).toBeUndefined();
  });

  it('keeps a replica whose probe only timed out once, and ejects it after two in a row', () => {
    const { set, replica } = single();
    expect(SLOW_PROBES_TO_EJECT).toBe(2);
    set.probed(replica, '/health/ready failed: timed out', true);
    expect(replica.state).toBe('ready');
    expect(set.pick()).toBe(replica);
    set.probed(replica, '/health/ready failed: timed out', true);
    expect(replica.state).toBe('ejected');
    expect(replica.lastError).toBe('/health/ready failed: timed out');
  });

  it('counts slow probes only in a row: a good answer between starts over', () => {
    const { set, replica } = single();
    set.probed(replica, 'timed out', true);
    set.succeeded(replica);
    set.probed(replica, 'timed out', true);
    expect(replica.state).toBe('ready');
    set.probed(replica, undefined);
    set.probed(replica, 'timed out', true);
    expect(replica.state).toBe('ready');
  });

  it('ejects after ejectAfter request failures, and a slow probe never needs fewer', () => {
    const { set, replica } = single({ ejectAfter: 3 });
    set.failed(replica, 'ECONNRESET');
    set.failed(replica, 'ECONNRESET');
    expect(replica.state).toBe('ready');
    set.failed(replica, 'ECONNRESET');
    expect(replica.state).toBe('ejected');

    const other = single({ ejectAfter: 3 });
    other.set.probed(other.replica, 'timed out', true);
    other.set.probed(other.replica, 'timed out', true);
    expect(other.replica.state).toBe('ready');
    other.set.probed(other.replica, 'timed out', true);
    expect(other.replica.state).toBe('ejected');
  });

  it('brings an ejected replica back only through a good probe', () => {
    const { set, replica } = single();
    set.failed(replica, 'ECONNREFUSED');
    expect(replica.state).toBe('ejected');
    set.succeeded(replica); // a late answer to a request sent before
    expect(replica.state).toBe('ejected');
    set.probed(replica, 'timed out', true);
    expect(replica.state).toBe('ejected');
    set.probed(replica, undefined);
    expect(replica.state).toBe('ready');
  });

  it('takes a replica that says it is draining out until it has closed, unless it is the only one', () => {
    const set = new ReplicaSet({
      service: 'storefront',
      urls: ['http://127.0.0.1:1', 'http://127.0.0.1:2'],
      ejectMs: 1_000,
      trialAfterCooldown: true,
    });
    const [draining, other] = set.replicas as [Replica, Replica];
    set.succeeded(draining);
    set.succeeded(other);
    const before = Date.now();
    set.draining(draining, 1_500);
    expect(draining.state).toBe('ejected');
    // Its listener closes in 1.5 s; no trial before that and a cooldown more.
    expect(draining.ejectedUntil).toBeGreaterThanOrEqual(before + 2_500);
    expect([set.pick(), set.pick(), set.pick()]).toEqual([other, other, other]);
    set.draining(other, 1_500);
    expect(other.state).toBe('ready');
    expect(set.pick()).toBe(other);
  });
});
