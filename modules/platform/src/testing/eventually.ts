// eventually: for effects that arrive through events (at-least-once, after the
// commit), retry an assertion until it holds or the time is up.

/**
 * eventually retries `check` every 25 ms until it stops throwing, then returns
 * its result; after `timeoutMs` the last failure is thrown.
 *
 * @example
 * await eventually(async () => expect((await cartOf(ada)).items).toEqual([]));
 */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
