// The token signing keys. Either the operator supplies one (SEAM_JWT_PRIVATE_KEY)
// or the first process to start generates one and stores it in
// users.signing_keys, so restarts and replicas sharing the database sign with
// the same key and verify each other's tokens.
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { desc, sql } from 'drizzle-orm';
import {
  generateSigningKey,
  TOKEN_ALGORITHM,
  type Database,
  type Logger,
  type SigningKey,
} from '@seam/platform';
import type { Jwks } from '@seam/users-contract';
import { signingKeys } from './schema.js';

type Jwk = SigningKey['publicJwk'];
type PublicJwk = Jwks['keys'][number];

/** KeyStore hands out the signing key and the public JWKS. */
export interface KeyStore {
  /** active is the key new tokens are signed with; loaded (or generated) once. */
  active(): Promise<SigningKey>;
  /** jwks lists the public half of every key whose tokens verify. */
  jwks(): Promise<Jwks>;
}

// Held for the generating transaction only, so replicas starting together on one
// database end up with a single key.
const KEY_LOCK = 'seam:users:signing-key';

/**
 * createKeyStore serves `configured` when given, else the newest stored key,
 * generating and storing one on first use.
 *
 * @example
 * const keys = createKeyStore(db, config.SEAM_JWT_PRIVATE_KEY, log);
 * const signer = await createTokenSigner(await keys.active(), settings);
 */
export function createKeyStore(
  db: Database,
  configured: SigningKey | undefined,
  log: Logger,
): KeyStore {
  let loading: Promise<SigningKey> | undefined;

  const active = () => {
    if (configured) return Promise.resolve(configured);
    loading ??= loadOrGenerate(db, log).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };

  return {
    active,
    async jwks() {
      if (configured) return { keys: [publicPart(configured.publicJwk)] };
      await active();
      const rows = await db
        .select({ publicJwk: signingKeys.publicJwk })
        .from(signingKeys)
        .orderBy(desc(signingKeys.createdAt), desc(signingKeys.kid));
      return { keys: rows.map((row) => publicPart(row.publicJwk as Jwk)) };
    },
  };
}

async function loadOrGenerate(db: Database, log: Logger): Promise<SigningKey> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${KEY_LOCK}))`);
    const [row] = await tx
      .select()
      .from(signingKeys)
      .orderBy(desc(signingKeys.createdAt), desc(signingKeys.kid))
      .limit(1);
    if (row) {
      return { kid: row.kid, privateJwk: row.privateJwk as Jwk, publicJwk: row.publicJwk as Jwk };
    }
    const key = await generateSigningKey();
    await tx.insert(signingKeys).values({
      kid: key.kid,
      privateJwk: key.privateJwk as Record<string, unknown>,
      publicJwk: publicPart(key.publicJwk) as Record<string, unknown>,
    });
    log.info({ kid: key.kid }, 'generated and stored a token signing key');
    return key;
  });
}

/** publicPart keeps only public members, whatever else a stored JWK holds. */
function publicPart(jwk: Jwk): PublicJwk {
  const { kty = 'OKP', crv, x, kid, alg, use } = jwk;
  return { kty, crv, x, kid, alg, use };
}

/**
 * parsePrivateJwk reads SEAM_JWT_PRIVATE_KEY: an Ed25519 private JWK with `d`
 * and `x`. `kid` defaults to the RFC 7638 thumbprint. Errors never quote the key.
 *
 * @example
 * parsePrivateJwk('{"kty":"OKP","crv":"Ed25519","d":"…","x":"…"}');
 */
export function parsePrivateJwk(text: string): SigningKey {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('must be a JSON Web Key as JSON');
  }
  const jwk = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const { kty, crv, d, x, kid } = jwk;
  if (kty !== 'OKP' || crv !== 'Ed25519' || typeof d !== 'string' || typeof x !== 'string') {
    throw new Error(
      'must be an Ed25519 private JWK: {"kty":"OKP","crv":"Ed25519","d":"…","x":"…"}',
    );
  }
  let derivedX: unknown;
  try {
    const privateKey = createPrivateKey({ key: { kty, crv, d, x }, format: 'jwk' });
    derivedX = createPublicKey(privateKey).export({ format: 'jwk' }).x;
  } catch {
    throw new Error('is not a valid Ed25519 private key');
  }
  if (derivedX !== x) throw new Error('has an "x" that is not the public key of its "d"');
  const keyId = typeof kid === 'string' && kid !== '' ? kid : thumbprint(crv, kty, x);
  const base = { kid: keyId, alg: TOKEN_ALGORITHM, use: 'sig' };
  return {
    kid: keyId,
    privateJwk: { kty, crv, d, x, ...base },
    publicJwk: { kty, crv, x, ...base },
  };
}

function thumbprint(crv: string, kty: string, x: string): string {
  // RFC 7638: the required members, in lexicographic order, without whitespace.
  const canonical = JSON.stringify({ crv, kty, x });
  return createHash('sha256').update(canonical).digest('base64url');
}
