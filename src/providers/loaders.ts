/**
 * The per-request DataLoader every provider uses: each distinct key is fetched once per
 * request, however many fields ask for it. The providers' APIs have no batch routes, so a
 * batch is one call per key, and one key's failure is that key's alone.
 */
import DataLoader from 'dataloader';

export function perKeyLoader<K, V>(
  fetch: (key: K) => Promise<V>,
  cacheKey: (key: K) => string = String,
): Pick<DataLoader<K, V, string>, 'load'> {
  // Made on first use: a request asks for few of the loaders its sources offer.
  let loader: DataLoader<K, V, string> | undefined;
  return {
    load: (key) =>
      (loader ??= new DataLoader<K, V, string>((keys) => Promise.all(keys.map((one) => fetch(one).catch(asError))), {
        cacheKeyFn: cacheKey,
      })).load(key),
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
