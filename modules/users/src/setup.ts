// Wiring: builds the users module's use cases from its context and binds them to
// the contract's operations and routes.
import { AppError, type ModuleContext, type ModuleImplementation } from '@seam/platform';
import { JWKS_CACHE_CONTROL, usersContract } from '@seam/users-contract';
import { bootstrapAdmin } from './bootstrap-admin.js';
import { checkAdminConfig, type UsersConfig } from './config.js';
import { getUser } from './get-user.js';
import { createKeyStore } from './keys.js';
import { createLogin } from './login.js';
import { currentUser } from './me.js';
import { authLimits } from './rate-limits.js';
import { registerUser } from './register.js';

/** setupUsers implements usersContract; the host calls it once per process. */
export function setupUsers(
  context: ModuleContext<UsersConfig>,
): ModuleImplementation<typeof usersContract> {
  const { db, config, log, events } = context;
  checkAdminConfig(config);
  const keys = createKeyStore(db, config.SEAM_JWT_PRIVATE_KEY, log);
  const { login } = createLogin(db, keys, {
    issuer: config.SEAM_JWT_ISSUER,
    audience: config.SEAM_JWT_AUDIENCE,
    ttlSeconds: config.SEAM_ACCESS_TOKEN_TTL_SECONDS,
  });

  const limits = authLimits(config);

  return {
    operations: {
      getJwks: () => keys.jwks(),
      getUser: ({ id }) => getUser(db, id),
    },
    routes(app) {
      const { routes } = usersContract;
      app.use(routes.register.path, ...limits.register);
      app.use(routes.login.path, ...limits.login);
      app.openapi(routes.register, async (c) => {
        return c.json(await registerUser(db, events, c.req.valid('json')), 201);
      });
      app.openapi(routes.login, async (c) => {
        const token = await login(c.req.valid('json'));
        // RFC 6749 §5.1: responses carrying tokens must not be cached.
        c.header('cache-control', 'no-store');
        return c.json(token, 200);
      });
      app.openapi(routes.me, async (c) => {
        const caller = c.get('user');
        if (!caller) throw AppError.unauthorized('This operation needs a bearer access token');
        return c.json(await currentUser(db, caller), 200);
      });
      app.openapi(routes.jwks, async (c) => {
        c.header('cache-control', JWKS_CACHE_CONTROL);
        return c.json(await keys.jwks(), 200);
      });
    },
    async start() {
      // Load or generate the key now, so the first login does not pay for it.
      await keys.active();
      const { SEAM_ADMIN_EMAIL: email, SEAM_ADMIN_PASSWORD: password } = config;
      if (email && password) await bootstrapAdmin(db, events, { email, password }, log);
    },
  };
}
