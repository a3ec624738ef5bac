// The users contract: accounts, sign-in and the token signing keys. Other
// modules call getUser and getJwks through a typed client; clients of the shop
// use the routes under /api/users.
import {
  BEARER_SECURITY,
  createRoute,
  defineContract,
  defineEvent,
  defineOperation,
  jsonBody,
  jsonContent,
  problemResponses,
  PUBLIC_SECURITY,
  requireAuth,
  ROLES,
  z,
} from '@seam/platform';

/** PASSWORD_MIN_LENGTH and PASSWORD_MAX_LENGTH bound a registration password. */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

/** JWKS_CACHE_CONTROL is sent with the public JWKS; verifiers refresh on an unknown kid anyway. */
export const JWKS_CACHE_CONTROL = 'public, max-age=300';

// Emails are trimmed and lowercased before the format check, so " Ada@Example.com"
// registers as "ada@example.com"; z.email() would check the raw value first.
const email = z.string().trim().toLowerCase().max(254).email();

export const RoleSchema = z.enum(ROLES).openapi('Role', {
  description: '`customer` (every registered user) or `admin`',
  example: 'customer',
});

export const UserSchema = z
  .object({
    id: z.uuid().openapi({ example: '0b0e4a5c-6f1d-4c43-9a55-8d2f7a1c3e10' }),
    email: z.string().openapi({ example: 'ada@example.com' }),
    name: z.string().openapi({ example: 'Ada Lovelace' }),
    role: RoleSchema,
    createdAt: z.iso.datetime().openapi({ example: '2025-01-31T09:30:00.000Z' }),
  })
  .openapi('User', { description: 'A user account; never includes the password.' });

export const RegisterRequestSchema = z
  .object({
    email: email.openapi({
      description: 'Trimmed and lowercased; must be unique',
      example: 'ada@example.com',
    }),
    password: z
      .string()
      .min(PASSWORD_MIN_LENGTH)
      .max(PASSWORD_MAX_LENGTH)
      .openapi({ format: 'password', example: 'correct horse battery staple' }),
    name: z.string().trim().min(1).max(200).openapi({ example: 'Ada Lovelace' }),
  })
  .openapi('RegisterRequest');

export const LoginRequestSchema = z
  .object({
    email: email.openapi({ example: 'ada@example.com' }),
    password: z
      .string()
      .min(1)
      .max(PASSWORD_MAX_LENGTH)
      .openapi({ format: 'password', example: 'correct horse battery staple' }),
  })
  .openapi('LoginRequest');

export const TokenResponseSchema = z
  .object({
    accessToken: z.string().openapi({
      description: 'An EdDSA-signed JWT; send it as `Authorization: Bearer <accessToken>`',
      example: 'eyJhbGciOiJFZERTQSIsImtpZCI6IjEiLCJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxIn0.c2ln',
    }),
    tokenType: z.literal('Bearer').openapi({ example: 'Bearer' }),
    expiresIn: z.number().int().openapi({ description: 'Seconds until expiry', example: 900 }),
  })
  .openapi('TokenResponse');

export const JwkSchema = z
  .looseObject({
    kty: z.string().openapi({ example: 'OKP' }),
    kid: z.string().optional().openapi({ example: '7f1c2f0e-3b8a-4c9e-9a3c-1d2e3f4a5b6c' }),
    alg: z.string().optional().openapi({ example: 'EdDSA' }),
    use: z.string().optional().openapi({ example: 'sig' }),
    crv: z.string().optional().openapi({ example: 'Ed25519' }),
    x: z.string().optional().openapi({ example: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }),
  })
  .openapi('Jwk', { description: 'A public JSON Web Key (RFC 7517)' });

export const JwksSchema = z
  .object({ keys: z.array(JwkSchema) })
  .openapi('Jwks', { description: 'The public keys that verify access tokens' });

export type User = z.infer<typeof UserSchema>;
export type RegisterRequest = z.infer<typeof RegisterRequestSchema>;
export type LoginRequest = z.infer<typeof LoginRequestSchema>;
export type TokenResponse = z.infer<typeof TokenResponseSchema>;
export type Jwks = z.infer<typeof JwksSchema>;

const tags = ['users'];

/** AUTH_BODY_LIMIT_BYTES caps a register or login body: their fields fit in a few kilobytes. */
export const AUTH_BODY_LIMIT_BYTES = 16 * 1024;

/** rateLimited documents the 429 of the rate-limited sign-up and sign-in routes. */
const rateLimited = {
  429: {
    ...problemResponses(429)[429],
    description:
      'Too many attempts from this client or for this account; retry after Retry-After seconds',
    headers: {
      'Retry-After': {
        description: 'Seconds to wait before trying again',
        schema: { type: 'integer' as const },
      },
    },
  },
};

const register = createRoute({
  method: 'post',
  path: '/register',
  operationId: 'registerUser',
  security: PUBLIC_SECURITY,
  summary: 'Register a customer account',
  description:
    'Creates a user with the `customer` role. The email is trimmed and lowercased and must not be taken. Rate-limited per client and per email (429).',
  tags,
  request: { body: jsonBody(RegisterRequestSchema, 'The new account') },
  responses: {
    201: jsonContent(UserSchema, 'The created user'),
    ...problemResponses(400, 409, 413, 415),
    ...rateLimited,
  },
});

const login = createRoute({
  method: 'post',
  path: '/login',
  operationId: 'logIn',
  security: PUBLIC_SECURITY,
  summary: 'Sign in',
  description:
    'Exchanges an email and password for a short-lived access token. A wrong password and an unknown email get the same answer. Rate-limited per client and per email (429).',
  tags,
  request: { body: jsonBody(LoginRequestSchema, 'The credentials') },
  responses: {
    200: jsonContent(TokenResponseSchema, 'An access token'),
    ...problemResponses(400, 413, 415),
    401: {
      ...problemResponses(401)[401],
      description: 'The email or password is incorrect (the same answer for both)',
    },
    ...rateLimited,
  },
});

const me = createRoute({
  method: 'get',
  path: '/me',
  operationId: 'getCurrentUser',
  summary: 'Get the signed-in user',
  description:
    'Returns the user the bearer token belongs to. A valid token whose user no longer exists gets 401.',
  tags,
  security: BEARER_SECURITY,
  middleware: [requireAuth()] as const,
  responses: {
    200: jsonContent(UserSchema, 'The signed-in user'),
    ...problemResponses(401),
  },
});

const jwks = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  operationId: 'getJwks',
  security: PUBLIC_SECURITY,
  summary: 'Get the token signing keys',
  description:
    'The public JSON Web Key Set that verifies access tokens (EdDSA, Ed25519). Never contains private key material.',
  tags,
  responses: {
    200: {
      ...jsonContent(JwksSchema, 'The public keys'),
      headers: {
        'Cache-Control': {
          description: 'How long the set may be cached',
          schema: { type: 'string' },
        },
      },
    },
    401: {
      ...problemResponses(401)[401],
      description:
        'An Authorization header was sent that is not a valid access token (this route needs none)',
    },
  },
});

/** UserRegistered is published when an account is created (notifications welcomes). */
export const UserRegistered = defineEvent({
  type: 'users.UserRegistered',
  version: 1,
  description: 'A new account was registered',
  payload: z.object({ userId: z.uuid(), email: z.string(), name: z.string() }),
});

/**
 * usersContract is what other modules and apps may use of the users module.
 *
 * @example
 * const user = await clients.of(usersContract).getUser({ id });
 */
export const usersContract = defineContract({
  name: 'users',
  description: 'User accounts, sign-in and the access-token signing keys',
  operations: {
    getJwks: defineOperation({
      summary: 'The public JWKS that verifies access tokens',
      input: z.object({}),
      output: JwksSchema,
      idempotent: true,
    }),
    getUser: defineOperation({
      summary: 'One user by id; unknown ids fail with 404',
      input: z.object({ id: z.uuid() }),
      output: UserSchema,
      idempotent: true,
    }),
  },
  routes: { register, login, me, jwks },
  events: { UserRegistered },
});

export type UsersContract = typeof usersContract;
