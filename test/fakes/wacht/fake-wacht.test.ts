import { request as httpRequest } from 'node:http';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import {
  FakeWacht,
  wachtErrorBodies,
  type WachtCurrentMembershipBody,
  type WachtEnvelope,
  type WachtFakeUser,
  type WachtLegacyMembershipBody,
} from '../../../src/fakes/wacht/fake-wacht';
import {
  DEMO_WACHT_SESSION,
  DEMO_WACHT_SESSION_CURRENT,
  DEMO_WACHT_USER,
  DEMO_WACHT_USER_CURRENT,
  seedWacht,
} from '../../../src/fakes/wacht/seed';

const PATH = '/me/organization-memberships';

interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

let fake: FakeWacht;

beforeAll(async () => {
  fake = new FakeWacht();
  seedWacht(fake);
  await fake.start(0);
});

afterEach(() => fake.reset());

afterAll(async () => {
  await fake.stop();
});

async function get<T = WachtEnvelope<unknown>>(pathAndQuery: string, headers: Record<string, string> = {}): Promise<Answer<T>> {
  const response = await fetch(`${fake.url}${pathAndQuery}`, { headers });
  return { status: response.status, headers: response.headers, body: (await response.json()) as T };
}

function withCookie(cookie: string) {
  return get<WachtEnvelope<WachtLegacyMembershipBody[]>>(PATH, { cookie });
}

/** fetch will not send a Host of our choosing, so the deployment tests speak plain HTTP. */
function getWithHost(baseUrl: string, host: string, cookie: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${baseUrl}${PATH}`, { headers: { host, cookie } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
    });
    request.on('error', reject);
    request.end();
  });
}

function newestFirstIds(user: WachtFakeUser): string[] {
  return [...user.memberships]
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))
    .map((membership) => membership.id);
}

describe('authentication', () => {
  it('answers the legacy shape for the __session cookie, as on the documented page', async () => {
    const { status, body } = await withCookie(`__session=${DEMO_WACHT_SESSION}`);

    expect(status).toBe(200);
    expect(body.status).toBe(200);
    expect(body.message).toBe('');
    expect(body.errors).toBeNull();
    expect(body.data).toHaveLength(DEMO_WACHT_USER.memberships.length);
    expect(body.data).toContainEqual({
      id: 'membership_123456789',
      organization: {
        id: 'org_123456789',
        name: 'acme corp',
        slug: 'acme-corp',
        image_url: 'https://cdn.example.com/orgs/acme-corp.jpg',
      },
      role: { id: 'role_admin', name: 'Administrator', permissions: ['read', 'write', 'admin'] },
      created_at: '2024-01-01T00:00:00Z',
      updated_at: '2024-01-15T10:30:00Z',
    });
    for (const membership of body.data) expect(membership).not.toHaveProperty('roles');
  });

  it('describes the session with the signed-in user, as on the documented page', async () => {
    const { body } = await withCookie(`__session=${DEMO_WACHT_SESSION}`);

    const session = body.session!;
    expect(session.signin_attempts).toEqual([]);
    expect(session.signup_attempts).toEqual([]);
    expect(session.active_signin).toEqual({
      id: expect.stringMatching(/^signin_\d+$/),
      user_id: 'user_456789123',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect(session.signins).toEqual([session.active_signin]);
  });

  it('finds __session among several cookies and URL-decodes it', async () => {
    const token = 'sess_t0k/en=with+odd;chars';
    fake.addSession(token, { id: 'user_111', memberships: [] });
    const cookie = `theme=dark; not__session=wrong; __session=${encodeURIComponent(token)}; _ga=GA1.2.345.678`;

    const { status, body } = await withCookie(cookie);

    expect(status).toBe(200);
    expect(body.data).toEqual([]);
    expect(body.session?.active_signin?.user_id).toBe('user_111');
  });

  it('accepts a quoted cookie value', async () => {
    const { status, body } = await withCookie(`__session="${DEMO_WACHT_SESSION}"`);

    expect(status).toBe(200);
    expect(body.session?.active_signin?.user_id).toBe(DEMO_WACHT_USER.id);
  });

  it('accepts the development query parameter and ignores every other one (no paging)', async () => {
    const { status, body } = await get<WachtEnvelope<WachtLegacyMembershipBody[]>>(
      `${PATH}?limit=1&offset=2&page=3&__dev_session__=${DEMO_WACHT_SESSION}`,
    );

    expect(status).toBe(200);
    expect(body.data.map((membership) => membership.id)).toEqual(newestFirstIds(DEMO_WACHT_USER));
  });

  it('accepts the older X-Development-Session request header', async () => {
    const { status, body } = await get<WachtEnvelope<WachtLegacyMembershipBody[]>>(PATH, {
      'X-Development-Session': DEMO_WACHT_SESSION,
    });

    expect(status).toBe(200);
    expect(body.session?.active_signin?.user_id).toBe(DEMO_WACHT_USER.id);
    expect(body.data).toHaveLength(8);
  });

  it('reads the cookie before the development parameter, like the server', async () => {
    const { status, body } = await get(`${PATH}?__dev_session__=${DEMO_WACHT_SESSION}`, {
      cookie: '__session=sess_unknown',
    });

    expect(status).toBe(401);
    expect(body).toEqual(wachtErrorBodies.unauthorized);
  });

  it('answers 401 Unauthorized without a session', async () => {
    const { status, body } = await get(PATH);

    expect(status).toBe(401);
    expect(body).toEqual({ status: 401, message: 'Unauthorized', data: null, session: null, errors: null });
  });

  it('answers 401 Unauthorized for an unknown or empty session', async () => {
    for (const cookie of ['__session=sess_nobody_has_this', '__session=']) {
      const { status, body } = await get(PATH, { cookie });

      expect(status).toBe(401);
      expect(body).toEqual({ status: 401, message: 'Unauthorized', data: null, session: null, errors: null });
    }
  });

  it('answers 401 Invalid session once a session is revoked, and only for that session', async () => {
    const token = 'sess_to_revoke_9f2c';
    fake.addSession(token, { id: 'user_222', memberships: [] });
    expect((await withCookie(`__session=${token}`)).status).toBe(200);

    fake.revokeSession(token);

    const { status, body } = await get(PATH, { cookie: `__session=${token}` });
    expect(status).toBe(401);
    expect(body).toEqual({ status: 401, message: 'Invalid session', data: null, session: null, errors: null });
    expect((await withCookie(`__session=${DEMO_WACHT_SESSION}`)).status).toBe(200);
    expect(() => fake.revokeSession('sess_never_added')).toThrow(/no session/);
  });

  it('signs sessions as ES256 JWTs; an expired one is refreshed once, its new token in Set-Cookie, the old one refused from then on', async () => {
    const user = { id: 'user_333', memberships: [] };
    const live = await fake.signIn(user);
    const expired = await fake.signIn(user, { expiresInSeconds: -1 });
    expect(decodeProtectedHeader(live).alg).toBe('ES256');
    expect(decodeJwt(live)).toMatchObject({ sess: expect.any(Number), rotating_token: expect.any(String) });
    expect(decodeJwt(live).exp! - decodeJwt(live).iat!).toBe(24 * 60 * 60);
    expect((await get(PATH, { cookie: `__session=${live}` })).status).toBe(200);

    const response = await fetch(`${fake.url}${PATH}`, { headers: { cookie: `__session=${expired}` } });
    expect(response.status).toBe(200);
    const renewed = /^__session=([^;]+);.*HttpOnly/.exec(response.headers.get('set-cookie') ?? '')?.[1];
    expect(renewed).toBeDefined();
    expect(decodeJwt(renewed!).exp! * 1000).toBeGreaterThan(Date.now());
    expect(fake.refreshedSessions).toBe(1);

    const replayed = await get(PATH, { cookie: `__session=${expired}` });
    expect(replayed.status).toBe(401);
    expect(replayed.body).toMatchObject({ message: 'Invalid session' });
    expect((await get(PATH, { cookie: `__session=${renewed!}` })).status).toBe(200);
    expect(fake.refreshedSessions).toBe(1);
  });
});

describe('memberships', () => {
  it('lists them newest first by created_at', async () => {
    const { body } = await withCookie(`__session=${DEMO_WACHT_SESSION}`);

    const created = body.data.map((membership) => Date.parse(membership.created_at));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    expect(body.data.map((membership) => membership.organization.name)).toEqual([
      "O'Reilly-Vance Holdings, Ltd.",
      'umbrella-labs',
      '42 Robotics',
      'Globex',
      'acme corp',
      'Initech & Partners',
      'Ångström Analytics',
      'Zeta Systems',
    ]);
  });

  it('answers the current shape: roles array, no slug, numeric ids, user and public_metadata', async () => {
    const { status, body } = await get<WachtEnvelope<WachtCurrentMembershipBody[]>>(PATH, {
      cookie: `__session=${DEMO_WACHT_SESSION_CURRENT}`,
    });

    expect(status).toBe(200);
    expect(body.data.map((membership) => membership.id)).toEqual(newestFirstIds(DEMO_WACHT_USER_CURRENT));
    expect(body.data[1]).toEqual({
      id: '1837463540',
      organization: { id: '1837460127', name: 'Northwind Traders', image_url: 'https://cdn.example.com/orgs/northwind.png' },
      roles: [
        {
          id: '1837462001',
          name: 'organization:owner',
          permissions: ['organization:read', 'organization:write', 'organization:members:manage'],
        },
        { id: '1837462002', name: 'organization:billing', permissions: ['organization:read', 'organization:billing:manage'] },
      ],
      user: {
        id: '1837462918',
        first_name: 'Mateus',
        last_name: 'Lindqvist',
        primary_email_address: 'mateus@northwind.example',
      },
      public_metadata: { department: 'Operations' },
      created_at: '2025-02-03T09:15:00Z',
      updated_at: '2025-03-01T11:42:07Z',
    });
    expect(body.data[0]!.public_metadata).toEqual({});
    for (const membership of body.data) {
      expect(membership).not.toHaveProperty('role');
      expect(membership.organization).not.toHaveProperty('slug');
      expect(membership.id).toMatch(/^\d+$/);
    }
    expect(body.session?.active_signin?.id).toMatch(/^\d+$/);
    expect(body.session?.active_signin?.user_id).toBe('1837462918');
  });

  it('serves one stored user in either shape, depending on the session', async () => {
    const user: WachtFakeUser = {
      id: '1900000001',
      memberships: [
        {
          id: '1900000100',
          organization: { id: '1900000200', name: 'Shared Org', slug: 'shared-org', image_url: 'https://cdn.example.com/s.png' },
          roles: [
            { id: '1900000301', name: 'Owner', permissions: ['admin'] },
            { id: '1900000302', name: 'Billing', permissions: ['billing'] },
          ],
          created_at: '2025-01-01T00:00:00Z',
          updated_at: '2025-01-01T00:00:00Z',
        },
      ],
    };
    fake.addSession('sess_shared_legacy', user, 'legacy');
    fake.addSession('sess_shared_current', user, 'current');

    const legacy = await withCookie('__session=sess_shared_legacy');
    const current = await get<WachtEnvelope<WachtCurrentMembershipBody[]>>(PATH, { cookie: '__session=sess_shared_current' });

    expect(legacy.body.data[0]!.role).toEqual({ id: '1900000301', name: 'Owner', permissions: ['admin'] });
    expect(legacy.body.data[0]!.organization.slug).toBe('shared-org');
    expect(current.body.data[0]!.roles.map((role) => role.name)).toEqual(['Owner', 'Billing']);
    expect(current.body.data[0]!.user).toEqual({ id: '1900000001', first_name: '', last_name: '', primary_email_address: '' });
  });

  it('shows memberships added to a stored user after signing in', async () => {
    const user: WachtFakeUser = { id: 'user_333', memberships: [] };
    fake.addSession('sess_growing', user);
    user.memberships.push({
      id: 'membership_1',
      organization: { id: 'org_1', name: 'Late Joiner', slug: 'late-joiner', image_url: 'https://cdn.example.com/l.jpg' },
      roles: [],
      created_at: '2025-05-05T05:05:05Z',
      updated_at: '2025-05-05T05:05:05Z',
    });

    const { body } = await withCookie('__session=sess_growing');

    expect(body.data.map((membership) => [membership.organization.name, membership.role])).toEqual([['Late Joiner', null]]);
  });
});

describe('deployment host', () => {
  let scoped: FakeWacht;

  beforeAll(async () => {
    scoped = new FakeWacht({ deploymentHost: 'acme.wacht.services' });
    seedWacht(scoped);
    await scoped.start(0);
  });

  afterAll(async () => {
    await scoped.stop();
  });

  it('serves the configured host, whatever the port', async () => {
    const { status, body } = await getWithHost(scoped.url, 'acme.wacht.services:8443', `__session=${DEMO_WACHT_SESSION}`);

    expect(status).toBe(200);
    expect((body as WachtEnvelope<unknown[]>).data).toHaveLength(8);
  });

  it('answers 404 Deployment not found, without the envelope, for any other host', async () => {
    const other = await getWithHost(scoped.url, 'other.wacht.services', `__session=${DEMO_WACHT_SESSION}`);
    const loopback = await fetch(`${scoped.url}${PATH}`, { headers: { cookie: `__session=${DEMO_WACHT_SESSION}` } });

    expect(other).toEqual({ status: 404, body: { message: 'Deployment not found' } });
    expect(loopback.status).toBe(404);
    expect(await loopback.json()).toEqual({ message: 'Deployment not found' });
  });

  it('accepts any host when none is configured', async () => {
    const { status } = await getWithHost(fake.url, 'whatever.example', `__session=${DEMO_WACHT_SESSION}`);

    expect(status).toBe(200);
  });
});

describe('injected errors', () => {
  it('answers the rate limiter 429 with its headers, then recovers', async () => {
    fake.fail(FakeWacht.rateLimited(17));

    const limited = await get(PATH, { cookie: `__session=${DEMO_WACHT_SESSION}` });

    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({
      status: 429,
      message: 'Too many requests. Please try again later.',
      data: null,
      session: null,
      errors: null,
    });
    expect(limited.headers.get('retry-after')).toBe('17');
    expect(limited.headers.get('x-ratelimit-limit')).toBe('20');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('x-ratelimit-reset')).toBe('17');
    expect((await withCookie(`__session=${DEMO_WACHT_SESSION}`)).status).toBe(200);
  });

  it('limits as Fiber does when set: a fixed window per IP and path, signed in or not, forgotten on reset', async () => {
    fake.rateLimit = { max: 3, windowSeconds: 60 };
    try {
      const cookie = { cookie: `__session=${DEMO_WACHT_SESSION}` };
      const answers = [await get(PATH, cookie), await get(PATH), await get(PATH, cookie), await get(PATH, cookie)];
      expect(answers.map((answer) => answer.status)).toEqual([200, 401, 200, 429]);
      expect(answers.map((answer) => answer.headers.get('x-ratelimit-remaining'))).toEqual(['2', '1', '0', '0']);
      for (const answer of answers) {
        expect(answer.headers.get('x-ratelimit-limit')).toBe('3');
        // Seconds until the window ends, not a time.
        expect(Number(answer.headers.get('x-ratelimit-reset'))).toBeGreaterThan(55);
        expect(Number(answer.headers.get('x-ratelimit-reset'))).toBeLessThanOrEqual(60);
      }
      expect(answers[3]!.body).toEqual(wachtErrorBodies.rateLimited);
      expect(Number(answers[3]!.headers.get('retry-after'))).toBe(Number(answers[3]!.headers.get('x-ratelimit-reset')));
      // Another path has a window of its own.
      expect((await get('/me')).headers.get('x-ratelimit-remaining')).toBe('2');
      fake.reset();
      expect((await get(PATH, cookie)).status).toBe(200);
    } finally {
      fake.rateLimit = null;
    }
  });

  it('answers the handler 500 inside the envelope, as many times as asked', async () => {
    fake.fail({ ...FakeWacht.serverError(), times: 2 });

    for (let attempt = 0; attempt < 2; attempt++) {
      const { status, body } = await get(PATH, { cookie: `__session=${DEMO_WACHT_SESSION}` });
      expect(status).toBe(500);
      expect(body).toEqual({
        status: 500,
        message: 'Failed to get user organization memberships',
        data: null,
        session: null,
        errors: null,
      });
    }
    expect((await withCookie(`__session=${DEMO_WACHT_SESSION}`)).status).toBe(200);
  });
});

describe('recording', () => {
  it('records each request with its raw path, raw query and headers', async () => {
    await get(`${PATH}?__dev_session__=${encodeURIComponent('sess a/b')}&x=1`);
    await withCookie(`a=1; __session=${DEMO_WACHT_SESSION}`);

    expect(fake.requests).toHaveLength(2);
    const [byQuery, byCookie] = fake.requests;
    expect(byQuery).toMatchObject({ method: 'GET', rawPath: PATH, rawUrl: `${PATH}?__dev_session__=sess%20a%2Fb&x=1` });
    expect(byQuery!.query.get('__dev_session__')).toBe('sess a/b');
    expect(byCookie!.headers.cookie).toBe(`a=1; __session=${DEMO_WACHT_SESSION}`);
    expect(fake.requestsTo(/^\/me\/organization-memberships$/)).toHaveLength(2);
  });
});
