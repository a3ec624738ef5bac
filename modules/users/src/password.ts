// Password hashing with scrypt (memory-hard, in node:crypto). Hashes are
// self-describing PHC-style strings, so the cost can be raised later without
// invalidating stored hashes:  $scrypt$ln=15,r=8,p=1$<salt>$<hash>  (base64url).
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** SCRYPT_PARAMS is the cost of new hashes: N = 2^15, r = 8 → 32 MiB and ~50–100 ms a hash. */
export const SCRYPT_PARAMS = { logN: 15, r: 8, p: 1 } as const;

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const PREFIX = 'scrypt';
// Bounds on parameters read back from a stored hash: a tampered row must not make
// verification allocate gigabytes or spin for minutes.
const MAX_LOG_N = 20;
const MAX_R = 16;
const MAX_P = 4;

interface ScryptParams {
  logN: number;
  r: number;
  p: number;
}

/**
 * hashPassword hashes `password` with a fresh random salt.
 *
 * @example
 * const stored = await hashPassword('correct horse battery staple');
 * await verifyPassword('correct horse battery staple', stored); // true
 */
export async function hashPassword(
  password: string,
  params: ScryptParams = SCRYPT_PARAMS,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, params);
  return `$${PREFIX}$ln=${params.logN},r=${params.r},p=${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/**
 * verifyPassword checks `password` against a string from hashPassword in
 * constant time. A malformed stored hash verifies nothing and never throws.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.key.length, parsed.params);
  return timingSafeEqual(key, parsed.key);
}

function parseHash(
  stored: string,
): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined {
  const [empty, prefix, paramText, saltText, keyText] = stored.split('$');
  if (empty !== '' || prefix !== PREFIX || !paramText || !saltText || !keyText) return undefined;
  const match = /^ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})$/.exec(paramText);
  if (!match) return undefined;
  const params = { logN: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  if (params.logN < 1 || params.logN > MAX_LOG_N) return undefined;
  if (params.r < 1 || params.r > MAX_R || params.p < 1 || params.p > MAX_P) return undefined;
  const salt = Buffer.from(saltText, 'base64url');
  const key = Buffer.from(keyText, 'base64url');
  if (salt.length < 8 || key.length < 16 || key.length > 64) return undefined;
  return { params, salt, key };
}

function derive(
  password: string,
  salt: Buffer,
  length: number,
  params: ScryptParams,
): Promise<Buffer> {
  const N = 2 ** params.logN;
  const options: ScryptOptions = {
    N,
    r: params.r,
    p: params.p,
    // scrypt needs 128·N·r bytes; Node's default cap (32 MiB) is exactly N=2^15, r=8, so leave room.
    maxmem: 256 * N * params.r,
  };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}
