import { describe, expect, it } from 'vitest';
import { z } from '@hono/zod-openapi';
import { loadConfig } from './config.js';
import { AppError } from './errors.js';

function configError(env: Record<string, string>, extra: z.ZodRawShape[] = []): AppError {
  try {
    loadConfig(env, extra);
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('applies defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      SEAM_SERVICE: 'monolith',
      SEAM_DATA_DIR: '.data',
      SEAM_DEMO_DATA: true,
      SEAM_REMOTES: {},
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.SEAM_MODULES).toBeUndefined();
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: ' ' }).PORT).toBe(3000);
  });

  it('names every bad variable in one error', () => {
    const error = configError({ PORT: 'abc', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe('invalid-configuration');
    expect(error.errors?.map((e) => e.path).sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT']);
    expect(error.detail).toContain('PORT');
    expect(error.detail).toContain('must be a postgres:// or postgresql:// URL');
  });

  it('rejects a port out of range', () => {
    expect(configError({ PORT: '70000' }).errors?.[0]?.path).toBe('PORT');
  });

  it('parses the module list and remotes', () => {
    const config = loadConfig({
      SEAM_MODULES: 'users, catalog',
      SEAM_REMOTES: 'orders=http://127.0.0.1:4001/,payments=https://pay.internal',
    });
    expect(config.SEAM_MODULES).toEqual(['users', 'catalog']);
    expect(config.SEAM_REMOTES).toEqual({
      orders: ['http://127.0.0.1:4001'],
      payments: ['https://pay.internal'],
    });
  });

  it('parses several replica URLs per remote module, separated by |', () => {
    const config = loadConfig({
      SEAM_REMOTES: 'catalog=http://127.0.0.1:3102|http://127.0.0.1:3112/ , users=http://u:3000',
    });
    expect(config.SEAM_REMOTES).toEqual({
      catalog: ['http://127.0.0.1:3102', 'http://127.0.0.1:3112'],
      users: ['http://u:3000'],
    });
  });

  it('rejects a remote module listed twice', () => {
    const error = configError({ SEAM_REMOTES: 'catalog=http://a:1,catalog=http://b:2' });
    expect(error.errors?.[0]?.message).toContain('catalog is listed twice');
  });

  it('rejects a remote with one bad replica URL among good ones', () => {
    const error = configError({ SEAM_REMOTES: 'catalog=http://a:1|ftp://b' });
    expect(error.errors?.[0]?.message).toContain('catalog=http://a:1|ftp://b');
  });

  it('reads the topology file path', () => {
    expect(loadConfig({ SEAM_TOPOLOGY: 'topology/split.json' }).SEAM_TOPOLOGY).toBe(
      'topology/split.json',
    );
    expect(loadConfig({}).SEAM_TOPOLOGY).toBeUndefined();
  });

  it('reads the event transport and the NATS servers, and names a bad server', () => {
    const config = loadConfig({
      SEAM_EVENT_TRANSPORT: 'nats',
      SEAM_NATS_SERVERS: 'nats://10.0.0.5:4222, tls://10.0.0.6:4222',
      SEAM_NATS_PREFIX: 'shop',
    });
    expect(config).toMatchObject({
      SEAM_EVENT_TRANSPORT: 'nats',
      SEAM_NATS_SERVERS: ['nats://10.0.0.5:4222', 'tls://10.0.0.6:4222'],
      SEAM_NATS_PREFIX: 'shop',
    });
    expect(loadConfig({}).SEAM_EVENT_TRANSPORT).toBeUndefined();
    const error = configError({
      SEAM_EVENT_TRANSPORT: 'kafka',
      SEAM_NATS_SERVERS: 'nats://a:4222,http://b:4222',
      SEAM_NATS_PREFIX: 'Shop',
    });
    expect(error.errors?.map((e) => e.path)).toEqual([
      'SEAM_EVENT_TRANSPORT',
      'SEAM_NATS_SERVERS',
      'SEAM_NATS_PREFIX',
    ]);
    expect(error.errors?.[1]?.message).toContain('"http://b:4222"');
  });

  it('rejects a malformed remote with the offending pair', () => {
    const error = configError({ SEAM_REMOTES: 'orders=ftp://x' });
    expect(error.errors?.[0]).toMatchObject({ path: 'SEAM_REMOTES' });
    expect(error.errors?.[0]?.message).toContain('orders=ftp://x');
  });

  it('validates module-specific variables with the platform ones', () => {
    const extra = [{ SEAM_ADMIN_EMAIL: z.email().optional() }];
    expect(loadConfig({ SEAM_ADMIN_EMAIL: 'a@example.com' }, extra)).toMatchObject({
      SEAM_ADMIN_EMAIL: 'a@example.com',
    });
    expect(configError({ SEAM_ADMIN_EMAIL: 'nope' }, extra).errors?.[0]?.path).toBe(
      'SEAM_ADMIN_EMAIL',
    );
  });

  it('rejects a short service token', () => {
    expect(configError({ SEAM_SERVICE_TOKEN: 'short' }).errors?.[0]?.path).toBe(
      'SEAM_SERVICE_TOKEN',
    );
  });
});
