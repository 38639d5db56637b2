/**
 * Serialises read-modify-write cycles on a config file within this process, so two quick
 * `hosts.add` calls cannot both read the old file and lose one of the hosts.
 */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    // Keep the chain alive whatever fn did; callers see fn's own outcome through `result`.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
