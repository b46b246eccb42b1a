/** Wacht's error answers → the contract's codes. */
import { AppError } from '../../errors';
import type { UpstreamResponse } from '../../upstream/http-client';
import { failureOf, parseErrorBody } from '../../upstream/response';
import { errorEnvelope } from './wire';

export function wachtFailure(response: UpstreamResponse): AppError {
  const provider = 'WACHT';
  if (response.status === 401) {
    return new AppError('UNAUTHENTICATED', 'The Wacht session is not valid: sign in to Wacht again', { provider });
  }
  if (response.status === 404 && parseErrorBody(response, errorEnvelope)?.message === 'Deployment not found') {
    // Our configuration points at a host Wacht does not serve: an operator's problem, not the
    // caller's. Wacht finds the deployment by the Host header, so an IP address never names one.
    return new AppError(
      'UPSTREAM_ERROR',
      "WACHT does not know the configured deployment: WACHT_FRONTEND_API_URL must name the deployment's own host, not an IP address",
      { provider },
    );
  }
  return failureOf(provider, response);
}
