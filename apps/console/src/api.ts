// The console's calls: sign-in through the users module, then the admin-only
// console routes with the bearer token. A problem answer becomes an ApiError
// carrying its status and detail.
import type { ConsoleState, Delivery } from './types.js';

const TOKEN_KEY = 'seam-console-token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const session = {
  get token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set token(value: string | null) {
    if (value === null) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, value);
  },
};

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const problem = parsed as { detail?: string; title?: string } | undefined;
    throw new ApiError(
      response.status,
      problem?.detail ?? problem?.title ?? `HTTP ${response.status}`,
    );
  }
  return parsed as T;
}

/** signIn trades an email and password for an access token (POST /api/users/login). */
export async function signIn(email: string, password: string): Promise<void> {
  const { accessToken } = await call<{ accessToken: string }>('POST', '/api/users/login', {
    email,
    password,
  });
  session.token = accessToken;
}

export const loadState = () => call<ConsoleState>('GET', '/api/console/state');

export const retryDelivery = (delivery: Pick<Delivery, 'service' | 'id'>) =>
  call<Delivery>(
    'POST',
    `/api/console/services/${encodeURIComponent(delivery.service)}/deliveries/${encodeURIComponent(delivery.id)}/retry`,
  );
