// The Hono environment of the gateway: the platform's, plus the replica that served.
import type { SeamEnv } from '@seam/platform';

export interface GatewayEnv {
  Variables: SeamEnv['Variables'] & {
    /** upstream is the replica URL the request was last sent to, for the access log. */
    upstream: string | undefined;
    /** route is the metrics label of a proxied request, `/api/<module>/*`. */
    route: string | undefined;
  };
}
