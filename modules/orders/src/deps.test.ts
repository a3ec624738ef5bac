// The fault-injection hook: SEAM_TEST_CRASH_AFTER kills the process only under
// NODE_ENV=test, and only at the named step.
import { loadConfig } from '@seam/platform';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ordersConfig } from './config.js';
import { crashHook } from './deps.js';
import { recordingLogger } from '@seam/platform/testing';

afterEach(() => vi.restoreAllMocks());

describe('crashHook', () => {
  it('SIGKILLs the process right after the named step under NODE_ENV=test', () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const config = loadConfig<typeof ordersConfig>(
      { NODE_ENV: 'test', SEAM_TEST_CRASH_AFTER: 'charge' },
      [ordersConfig],
    );
    const crash = crashHook(config, recordingLogger().log);
    crash('reserve');
    expect(kill).not.toHaveBeenCalled();
    crash('charge');
    expect(kill).toHaveBeenCalledWith(process.pid, 'SIGKILL');
  });

  it('ignores the variable, with a warning, outside NODE_ENV=test', () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    const { log, lines } = recordingLogger();
    for (const NODE_ENV of ['production', 'development']) {
      const config = loadConfig<typeof ordersConfig>(
        { NODE_ENV, SEAM_TEST_CRASH_AFTER: 'reserve' },
        [ordersConfig],
      );
      crashHook(config, log)('reserve');
    }
    expect(kill).not.toHaveBeenCalled();
    expect(lines.join('\n')).toMatch(/ignored unless NODE_ENV=test/);
  });

  it('does nothing when unset, and rejects an unknown step', () => {
    const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
    crashHook(
      loadConfig<typeof ordersConfig>({ NODE_ENV: 'test' }, [ordersConfig]),
      recordingLogger().log,
    )('charge');
    expect(kill).not.toHaveBeenCalled();
    expect(() =>
      loadConfig<typeof ordersConfig>({ SEAM_TEST_CRASH_AFTER: 'payment' }, [ordersConfig]),
    ).toThrow(/SEAM_TEST_CRASH_AFTER/);
  });
});
