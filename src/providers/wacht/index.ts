/**
 * Wacht: only the signed-in user's memberships (its Frontend API cannot look up another
 * user), fetched whole in one call and windowed by the engine.
 */
import type { UpstreamClient } from '../../upstream/http-client';
import type { Provider } from '../provider';
import { credentialKey, type TtlCache } from '../ttl-cache';
import { wholeListSource } from '../whole-list-source';
import { WachtDataSource } from './data-source';
import { checkedSession } from './session';

export function wachtProvider(frontendApiUrl: string, http: UpstreamClient, lists: TtlCache): Provider {
  const api = new WachtDataSource(http, frontendApiUrl);
  return {
    name: 'WACHT',
    ownsUserId: () => false,
    mayRead: () => false,
    supportsAssociationFilters: false,
    createSource: ({ caller }) =>
      wholeListSource({
        self: async () => (caller.wachtSession ? { userId: null, key: 'session' } : null),
        // A session is one caller: a kept list is only ever theirs, and only while the session
        // may still fetch it, so it is checked before the cache is read.
        fetchAll: async () => {
          const session = checkedSession(caller.wachtSession!);
          return lists.through(`wacht:${credentialKey(session)}`, () => api.memberships(session));
        },
      }),
  };
}
