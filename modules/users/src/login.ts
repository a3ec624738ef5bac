// POST /login: email and password in, a signed access token out.
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { AppError, createTokenSigner, type Database } from '@seam/platform';
import type { LoginRequest, TokenResponse } from '@seam/users-contract';
import type { KeyStore } from './keys.js';
import { hashPassword, verifyPassword } from './password.js';
import { users } from './schema.js';

export interface LoginSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/** Login checks credentials and issues access tokens. */
export interface Login {
  login(input: LoginRequest): Promise<TokenResponse>;
}

/**
 * createLogin builds the login use case. Unknown emails are checked against a
 * dummy hash, so they cost one scrypt like a wrong password and answer with the
 * same 401: neither the body nor the timing tells whether an account exists.
 *
 * @example
 * const { login } = createLogin(db, keys, { issuer: 'seam', audience: 'seam', ttlSeconds: 900 });
 * const { accessToken } = await login({ email: 'ada@example.com', password: '…' });
 */
export function createLogin(db: Database, keys: KeyStore, settings: LoginSettings): Login {
  // Hashed now, not on the first unknown email, whose answer would be slower.
  const dummyHash = hashPassword(randomBytes(16).toString('hex'));
  let signer: ReturnType<typeof createTokenSigner> | undefined;

  return {
    async login(input) {
      const [row] = await db
        .select({
          id: users.id,
          email: users.email,
          role: users.role,
          passwordHash: users.passwordHash,
        })
        .from(users)
        .where(eq(users.email, input.email))
        .limit(1);
      const matches = await verifyPassword(input.password, row?.passwordHash ?? (await dummyHash));
      if (!row || !matches) {
        throw AppError.unauthorized(
          'The email or password is incorrect',
          'users.invalid-credentials',
        );
      }
      signer ??= keys
        .active()
        .then((key) => createTokenSigner(key, settings))
        .catch((error: unknown) => {
          signer = undefined;
          throw error;
        });
      const tokenSigner = await signer;
      const accessToken = await tokenSigner.sign({ id: row.id, email: row.email, role: row.role });
      return { accessToken, tokenType: 'Bearer', expiresIn: settings.ttlSeconds };
    },
  };
}
