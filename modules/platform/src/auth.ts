// Access tokens: EdDSA (Ed25519) JWTs signed by the users module and verified
// everywhere against its JWKS, with the algorithm pinned. The HTTP side (reading
// the bearer header, requireAuth) is in http/auth.ts.
import { randomUUID } from 'node:crypto';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
  type JWK,
} from 'jose';
import { z } from '@hono/zod-openapi';
import { AppError } from './errors.js';

export const TOKEN_ALGORITHM = 'EdDSA';
export const ROLES = ['customer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** AuthUser is who a verified token says the caller is. */
export interface AuthUser {
  id: string;
  email: string;
  role: Role;
}

const ClaimsSchema = z.object({
  sub: z.string().min(1),
  email: z.string(),
  role: z.enum(ROLES),
});

export interface TokenSettings {
  issuer: string;
  audience: string;
}

export interface SigningKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

/** generateSigningKey makes a fresh Ed25519 key pair with a key id. */
export async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALGORITHM, {
    crv: 'Ed25519',
    extractable: true,
  });
  const kid = randomUUID();
  const base = { kid, alg: TOKEN_ALGORITHM, use: 'sig' };
  return {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), ...base },
    publicJwk: { ...(await exportJWK(publicKey)), ...base },
  };
}

/**
 * createTokenSigner signs access tokens with one key.
 *
 * @example
 * const signer = await createTokenSigner(key, { issuer: 'seam', audience: 'seam', ttlSeconds: 900 });
 * const token = await signer.sign({ id, email, role: 'customer' });
 */
export async function createTokenSigner(
  key: SigningKey,
  settings: TokenSettings & { ttlSeconds: number },
): Promise<{ sign(user: AuthUser): Promise<string>; ttlSeconds: number }> {
  const privateKey = await importJWK(key.privateJwk, TOKEN_ALGORITHM);
  return {
    ttlSeconds: settings.ttlSeconds,
    sign: (user) =>
      new SignJWT({ email: user.email, role: user.role })
        .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: key.kid, typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setIssuedAt()
        .setExpirationTime(`${settings.ttlSeconds}s`)
        .setJti(randomUUID())
        .sign(privateKey),
  };
}

export interface TokenVerifier {
  verify(token: string): Promise<AuthUser>;
}

const JWKS_TTL_MS = 5 * 60_000;
const JWKS_MIN_REFRESH_MS = 10_000;
const VERIFIED_TTL_MS = 60_000;
const VERIFIED_MAX = 10_000;

/**
 * createTokenVerifier verifies tokens against a JWKS fetched through `loadJwks`
 * (the users module's operation, in-process or remote), cached and refreshed
 * when a token names an unknown key.
 */
export function createTokenVerifier(
  loadJwks: () => Promise<JSONWebKeySet>,
  settings: TokenSettings,
): TokenVerifier {
  let cached:
    { keys: ReturnType<typeof createLocalJWKSet>; kids: Set<string>; at: number } | undefined;
  let loading: Promise<NonNullable<typeof cached>> | undefined;

  const refresh = () => {
    loading ??= loadJwks()
      .then((jwks) => {
        cached = {
          keys: createLocalJWKSet(jwks),
          kids: new Set(jwks.keys.map((k) => k.kid ?? '')),
          at: Date.now(),
        };
        return cached;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };

  // Verified tokens, so a shopper's next requests skip the signature check; an
  // entry lives until the token expires, at most VERIFIED_TTL_MS (a removed key
  // stops being honoured within that time).
  const verified = new Map<string, { user: AuthUser; until: number }>();

  return {
    async verify(token) {
      const hit = verified.get(token);
      if (hit && hit.until > Date.now()) return hit.user;
      if (hit) verified.delete(token);
      const kid = readKid(token);
      let keys = cached;
      const stale = !keys || Date.now() - keys.at > JWKS_TTL_MS;
      const unknownKid =
        keys && kid && !keys.kids.has(kid) && Date.now() - keys.at > JWKS_MIN_REFRESH_MS;
      if (stale || unknownKid) {
        try {
          keys = await refresh();
        } catch (error) {
          if (!keys) {
            throw AppError.unavailable(
              `Cannot verify the access token: the signing keys are unavailable (${(error as Error).message})`,
              'auth-keys-unavailable',
            );
          }
        }
      }
      try {
        const { payload } = await jwtVerify(token, keys!.keys, {
          algorithms: [TOKEN_ALGORITHM],
          issuer: settings.issuer,
          audience: settings.audience,
        });
        const claims = ClaimsSchema.parse(payload);
        const user: AuthUser = { id: claims.sub, email: claims.email, role: claims.role };
        const expires = typeof payload.exp === 'number' ? payload.exp * 1000 : 0;
        if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
        verified.set(token, { user, until: Math.min(expires, Date.now() + VERIFIED_TTL_MS) });
        return user;
      } catch (error) {
        const expired = (error as { code?: string }).code === 'ERR_JWT_EXPIRED';
        throw AppError.unauthorized(
          expired ? 'The access token has expired' : 'The access token is invalid',
          expired ? 'token-expired' : 'invalid-token',
        );
      }
    },
  };
}

function readKid(token: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'));
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}
