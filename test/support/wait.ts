/** Polling for what a test waits on that it cannot be told about (a child's output, a fake's requests). */

/** Resolves with what `probe` gives once it gives something (asked every 50 ms); fails, naming `what`, after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs = 30_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ; await new Promise((resolve) => setTimeout(resolve, 50))) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}
