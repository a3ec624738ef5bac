// The security headers every answer carries, from the base app and from the
// answers Node writes itself (serve.ts): no MIME sniffing, no framing, no
// referrer, and a content policy that lets a JSON answer load nothing. The docs
// page, the one HTML answer, sets its own policy (docs.ts), which is kept.

/** SECURITY_HEADERS are set on every answer that does not set them itself. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

const ENTRIES = Object.entries(SECURITY_HEADERS);

/**
 * withSecurityHeaders adds SECURITY_HEADERS a response lacks, and drops
 * `x-powered-by` (a proxied upstream may send one). It returns the response to
 * send: a copy when the original's headers are immutable (a fetched response).
 */
export function withSecurityHeaders(response: Response): Response {
  try {
    setHeaders(response.headers);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    setHeaders(copy.headers);
    return copy;
  }
}

function setHeaders(headers: Headers): void {
  for (const [name, value] of ENTRIES) if (!headers.has(name)) headers.set(name, value);
  headers.delete('x-powered-by');
}
