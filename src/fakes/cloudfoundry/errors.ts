/** Cloud Controller v2's error answers, which the fake Cloud Controller's error handler sends. */

/** A Cloud Controller error answer; the fake's routes reply with `status` and `body`. */
export class CloudControllerError extends Error {
  constructor(
    readonly status: number,
    readonly body: { description: string; error_code: string; code: number },
  ) {
    super(body.description);
  }

  static badQueryParameter(detail: string): CloudControllerError {
    return new CloudControllerError(400, {
      description: `The query parameter is invalid: ${detail}`,
      error_code: 'CF-BadQueryParameter',
      code: 10005,
    });
  }
}

export function notAuthenticated(): CloudControllerError {
  return new CloudControllerError(401, {
    description: 'Authentication error',
    error_code: 'CF-NotAuthenticated',
    code: 10002,
  });
}

export function invalidAuthToken(): CloudControllerError {
  return new CloudControllerError(401, {
    description: 'Invalid Auth Token',
    error_code: 'CF-InvalidAuthToken',
    code: 1000,
  });
}

export function insufficientScope(): CloudControllerError {
  return new CloudControllerError(403, {
    description: 'Your token lacks the necessary scopes to access this resource.',
    error_code: 'CF-InsufficientScope',
    code: 10007,
  });
}

export function notAuthorized(): CloudControllerError {
  return new CloudControllerError(403, {
    description: 'You are not authorized to perform the requested action',
    error_code: 'CF-NotAuthorized',
    code: 10003,
  });
}

export function userNotFound(guid: string): CloudControllerError {
  return new CloudControllerError(404, {
    description: `The user could not be found: ${guid}`,
    error_code: 'CF-UserNotFound',
    code: 20003,
  });
}

export function organizationNotFound(guid: string): CloudControllerError {
  return new CloudControllerError(404, {
    description: `The organization could not be found: ${guid}`,
    error_code: 'CF-OrganizationNotFound',
    code: 30003,
  });
}

/** Cloud Controller's answer to an unexpected exception (its body lists `error_code` first). */
export function unknownError(): CloudControllerError {
  return new CloudControllerError(500, {
    error_code: 'UnknownError',
    description: 'An unknown error occurred.',
    code: 10001,
  });
}
