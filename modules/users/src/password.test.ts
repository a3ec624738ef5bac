import { describe, expect, it } from 'vitest';
import { hashPassword, SCRYPT_PARAMS, verifyPassword } from './password.js';

// Cheap parameters keep these unit tests fast; the module always uses SCRYPT_PARAMS.
const FAST = { logN: 10, r: 8, p: 1 };

describe('hashPassword / verifyPassword', () => {
  it('uses scrypt with N=2^15, r=8, p=1 by default and a self-describing format', async () => {
    expect(SCRYPT_PARAMS).toEqual({ logN: 15, r: 8, p: 1 });
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same', FAST), hashPassword('same', FAST)]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same', a)).toBe(true);
    expect(await verifyPassword('same', b)).toBe(true);
  });

  it('rejects a wrong password', async () => {
    const hash = await hashPassword('right password', FAST);
    expect(await verifyPassword('wrong password', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('verifies with the parameters stored in the hash, so the cost can change later', async () => {
    const hash = await hashPassword('old cost', FAST);
    expect(hash.startsWith('$scrypt$ln=10,r=8,p=1$')).toBe(true);
    expect(await verifyPassword('old cost', hash)).toBe(true);
  });

  it('treats Unicode-equivalent passwords alike (NFKC)', async () => {
    const hash = await hashPassword('caf\u00e9', FAST);
    expect(await verifyPassword('cafe\u0301', hash)).toBe(true);
  });

  it('verifies nothing, and does not throw, for a malformed or hostile stored hash', async () => {
    const good = await hashPassword('pw', FAST);
    const [, , , salt, key] = good.split('$');
    for (const stored of [
      '',
      'plain-text',
      `$bcrypt$ln=10,r=8,p=1$${salt}$${key}`,
      `$scrypt$ln=10,r=8$${salt}$${key}`,
      `$scrypt$ln=30,r=8,p=1$${salt}$${key}`, // would need 128 GiB
      `$scrypt$ln=10,r=99,p=1$${salt}$${key}`,
      `$scrypt$ln=10,r=8,p=1$$${key}`,
      `$scrypt$ln=10,r=8,p=1$${salt}$AAAA`,
    ]) {
      expect(await verifyPassword('pw', stored), stored).toBe(false);
    }
  });
});
