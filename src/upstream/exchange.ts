/**
 * One HTTP exchange through an undici dispatcher (its keep-alive pool): the whole body read
 * as text, the whole exchange bounded in time, aborted (socket released) when it runs late.
 *
 * Why undici's Dispatcher API and not its `request()`: `request()` wraps every answer in an
 * AsyncResource and a body stream, and with them each GraphQL request's objects outlived the
 * request through V8's young-generation collections until a full one (measured under load:
 * ~7 KB promoted to the old generation per upstream call, none this way; README, Performance).
 * For the same reason the time limit is a plain timer, cleared when the answer is in, not an
 * `AbortSignal.timeout`, which V8 holds weakly for its whole delay.
 */
import type { Dispatcher } from 'undici';

export interface Exchange {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | undefined;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Rejected with this when the answer is not complete in time (name `TimeoutError`, like AbortSignal's). */
export class ExchangeTimeoutError extends Error {
  override readonly name = 'TimeoutError';

  constructor(timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
  }
}

export function exchange(dispatcher: Dispatcher, request: Exchange, timeoutMs: number): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let status = 0;
    let headers: Answer['headers'] = {};
    let controller: Dispatcher.DispatchController | undefined;
    let settled = false;
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error === null) {
        resolve({ status, headers, body: utf8Text(Buffer.concat(chunks)) });
      } else {
        // Releases the socket when the exchange is under way; a no-op once undici failed it.
        controller?.abort(error);
        reject(error);
      }
    };
    const timer = setTimeout(() => finish(new ExchangeTimeoutError(timeoutMs)), timeoutMs);
    try {
      const { origin, pathname, search } = new URL(request.url);
      dispatcher.dispatch(
        { origin, path: `${pathname}${search}`, method: request.method, headers: request.headers, body: request.body ?? null },
        {
          onRequestStart(started) {
            controller = started;
            // Timed out while waiting for a socket: do not send it at all.
            if (settled) started.abort(new ExchangeTimeoutError(timeoutMs));
          },
          onResponseStart(_controller, statusCode, responseHeaders) {
            // An interim answer (102, 103) comes first: the final one overwrites it.
            status = statusCode;
            headers = responseHeaders;
          },
          onResponseData(_controller, chunk) {
            chunks.push(chunk);
          },
          onResponseEnd() {
            finish(null);
          },
          onResponseError(_controller, error) {
            finish(error);
          },
        },
      );
    } catch (error) {
      finish(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

/** The body as text; a UTF-8 byte-order mark is no part of it (undici's `text()` drops it too). */
function utf8Text(bytes: Buffer): string {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  return bytes.toString('utf8', bom ? 3 : 0);
}
