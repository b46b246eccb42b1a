/**
 * The data source shape of providers whose API returns a user's whole list (Auth0 up to
 * its 1000-record wall, Wacht in one call): fetched once per subject and request through a
 * DataLoader, then windowed by the engine's filter and order.
 */
import { windowOfList } from '../connections/whole-list';
import { perKeyLoader } from './loaders';
import type { MembershipRecord, ProviderSource, Subject } from './provider';

export interface WholeListOptions {
  self(): Promise<Subject | null>;
  fetchAll(subject: Subject): Promise<MembershipRecord[]>;
  roles?: ProviderSource['roles'];
  organization?: ProviderSource['organization'];
}

export function wholeListSource(options: WholeListOptions): ProviderSource {
  const lists = perKeyLoader(options.fetchAll, (subject: Subject) => subject.key);
  return {
    self: options.self,
    window: async (query, request) => windowOfList(await lists.load(query.subject), query, request),
    ...(options.roles ? { roles: options.roles } : {}),
    ...(options.organization ? { organization: options.organization } : {}),
  };
}
