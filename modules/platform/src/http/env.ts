// The Hono environment every Seam router shares.
import type { AuthUser } from '../auth.js';
import type { Logger } from '../logger.js';

export interface SeamEnv {
  Variables: {
    requestId: string;
    log: Logger;
    /** user is set when the request carried a valid bearer token. */
    user: AuthUser | undefined;
  };
}
