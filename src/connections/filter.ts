/**
 * `OrganizationFilter` with Cloud Foundry's meaning, for every provider: validated once
 * before any upstream call, and evaluated here for the providers that return whole lists.
 */
import type {
  GuidFilter,
  OrganizationFilter,
  OrganizationStatusFilter,
  StringFilter,
} from '../graphql/generated';
import type { OrganizationRecord } from '../providers/provider';
import { badUserInput } from '../errors';
import { compareCodeUnits } from './order';

/** Cloud Foundry's cap on values in one ` IN ` filter, applied to every provider alike. */
export const MAX_IN_VALUES = 100;
/** Longer than any organization name a provider allows (Cloud Foundry: 255). */
export const MAX_VALUE_LENGTH = 255;

/** The Cloud Foundry association filters, by GraphQL field and `q` key. */
export const ASSOCIATION_FILTERS = {
  spaceGuid: 'space_guid',
  userGuid: 'user_guid',
  managerGuid: 'manager_guid',
  billingManagerGuid: 'billing_manager_guid',
  auditorGuid: 'auditor_guid',
} as const satisfies Record<string, string>;

export type AssociationField = keyof typeof ASSOCIATION_FILTERS;
const ASSOCIATION_FIELDS = Object.keys(ASSOCIATION_FILTERS) as AssociationField[];

/** Throws BAD_USER_INPUT for anything no provider could be asked faithfully. */
export function validateFilter(filter: OrganizationFilter): void {
  if (filter.name) validateStringFilter('filter.name', filter.name);
  if (filter.status?.in) validateListSize('filter.status.in', filter.status.in);
  for (const field of ASSOCIATION_FIELDS) {
    const guid = filter[field];
    if (guid) validateGuidFilter(`filter.${field}`, guid);
  }
}

function validateStringFilter(path: string, filter: StringFilter): void {
  for (const operator of ['eq', 'gt', 'gte', 'lt', 'lte'] as const) {
    const value = filter[operator];
    if (value != null) validateLength(`${path}.${operator}`, value);
  }
  if (filter.in) validateInValues(`${path}.in`, filter.in);
}

function validateGuidFilter(path: string, filter: GuidFilter): void {
  if (filter.eq != null) validateGuid(`${path}.eq`, filter.eq);
  if (filter.in) {
    validateInValues(`${path}.in`, filter.in);
    filter.in.forEach((guid) => validateGuid(`${path}.in`, guid));
  }
}

function validateGuid(path: string, guid: string): void {
  if (guid.trim() === '') throw badUserInput(`${path}: a guid may not be empty or blank`);
  validateLength(path, guid);
}

function validateInValues(path: string, values: readonly string[]): void {
  validateListSize(path, values);
  for (const value of values) {
    validateLength(path, value);
    // Cloud Foundry's ` IN ` splits on ',' with no escape: such a value cannot be asked for.
    if (value.includes(',')) throw badUserInput(`${path}: a value may not contain ','`);
  }
}

function validateListSize(path: string, values: readonly unknown[]): void {
  if (values.length > MAX_IN_VALUES) {
    throw badUserInput(`${path}: at most ${MAX_IN_VALUES} values`);
  }
}

function validateLength(path: string, value: string): void {
  if (value.length > MAX_VALUE_LENGTH) {
    throw badUserInput(`${path}: at most ${MAX_VALUE_LENGTH} characters`);
  }
}

/** An `in: []` anywhere matches nothing: no provider needs to be asked. */
export function matchesNothing(filter: OrganizationFilter): boolean {
  const lists = [
    filter.name?.in,
    filter.status?.in,
    ...ASSOCIATION_FIELDS.map((field) => filter[field]?.in),
  ];
  return lists.some((list) => list != null && list.length === 0);
}

/** Whether a Cloud Foundry association filter is set: only providers that support them may answer. */
export function usesAssociationFilters(filter: OrganizationFilter): boolean {
  return ASSOCIATION_FIELDS.some((field) => filter[field] != null);
}

/** Name and status conditions, evaluated in process (association filters are the provider's). */
export function matchesFilter(organization: OrganizationRecord, filter: OrganizationFilter): boolean {
  return (
    (!filter.name || matchesName(organization.name, filter.name)) &&
    (!filter.status || matchesStatus(organization, filter.status))
  );
}

function matchesName(name: string, filter: StringFilter): boolean {
  const value = name.toLowerCase();
  const compare = (other: string): number => compareCodeUnits(value, other.toLowerCase());
  return (
    (filter.eq == null || compare(filter.eq) === 0) &&
    (filter.in == null || filter.in.some((other) => compare(other) === 0)) &&
    (filter.gt == null || compare(filter.gt) > 0) &&
    (filter.gte == null || compare(filter.gte) >= 0) &&
    (filter.lt == null || compare(filter.lt) < 0) &&
    (filter.lte == null || compare(filter.lte) <= 0)
  );
}

function matchesStatus(organization: OrganizationRecord, filter: OrganizationStatusFilter): boolean {
  return (
    (filter.eq == null || organization.status === filter.eq) &&
    (filter.in == null || filter.in.includes(organization.status))
  );
}
