// The one error type of Seam. Every failure that crosses a module, a transport or
// an HTTP response is an AppError, and every AppError renders as an RFC 9457
// problem document (`application/problem+json`).
import { z } from '@hono/zod-openapi';

/** PROBLEM_TYPE_PREFIX prefixes every problem `type`; the suffix is the error's code. */
export const PROBLEM_TYPE_PREFIX = 'urn:seam:problem:';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** FieldError points at one invalid input field. `path` is dotted (`price.amount`). */
export interface FieldError {
  path: string;
  message: string;
  code?: string;
}

/** Problem is the wire shape of an AppError (RFC 9457 plus Seam's extensions). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
}

export const FieldErrorSchema = z
  .object({
    path: z.string().openapi({ example: 'price.amount' }),
    message: z.string().openapi({ example: 'Too small: expected number to be >=0' }),
    code: z.string().optional().openapi({ example: 'too_small' }),
  })
  .openapi('FieldError');

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:seam:problem:validation-failed' }),
    title: z.string().openapi({ example: 'Validation failed' }),
    status: z.number().int().openapi({ example: 400 }),
    detail: z
      .string()
      .openapi({ example: 'The request body is invalid: price.amount is too small' }),
    code: z.string().openapi({ example: 'validation-failed' }),
    instance: z.string().optional().openapi({ example: '/api/catalog/products' }),
    requestId: z.string().optional().openapi({ example: '3f1c6b1e-0a8e-4d8e-9d55-2a4b1c0f9e77' }),
    errors: z.array(FieldErrorSchema).optional(),
  })
  .openapi('Problem');

/** STATUS_DEFAULTS gives each status the code and title used when a caller names neither. */
const STATUS_DEFAULTS: Record<number, { code: string; title: string }> = {
  400: { code: 'bad-request', title: 'Bad request' },
  401: { code: 'unauthorized', title: 'Unauthorized' },
  403: { code: 'forbidden', title: 'Forbidden' },
  404: { code: 'not-found', title: 'Not found' },
  405: { code: 'method-not-allowed', title: 'Method not allowed' },
  408: { code: 'request-timeout', title: 'Request timeout' },
  409: { code: 'conflict', title: 'Conflict' },
  413: { code: 'payload-too-large', title: 'Payload too large' },
  415: { code: 'unsupported-media-type', title: 'Unsupported media type' },
  422: { code: 'unprocessable', title: 'Unprocessable request' },
  429: { code: 'too-many-requests', title: 'Too many requests' },
  431: { code: 'headers-too-large', title: 'Request header fields too large' },
  500: { code: 'internal', title: 'Internal server error' },
  502: { code: 'bad-gateway', title: 'Bad gateway' },
  503: { code: 'unavailable', title: 'Service unavailable' },
  504: { code: 'deadline-exceeded', title: 'Deadline exceeded' },
};

export interface AppErrorInit {
  status: number;
  detail: string;
  code?: string;
  title?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * AppError is the only error type modules throw on purpose.
 *
 * @example
 * throw AppError.notFound(`Product ${id} does not exist`);
 * throw AppError.conflict('A user with this email already exists', 'users.email-taken');
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldError[] | undefined;
  /** Extra response headers, e.g. `Allow` for a 405. Never sent across transports. */
  readonly headers: Record<string, string> | undefined;

  constructor(init: AppErrorInit) {
    super(init.detail, init.cause === undefined ? undefined : { cause: init.cause });
    const defaults =
      STATUS_DEFAULTS[init.status] ?? STATUS_DEFAULTS[init.status >= 500 ? 500 : 400]!;
    this.name = 'AppError';
    this.status = init.status;
    this.code = init.code ?? defaults.code;
    this.title = init.title ?? defaults.title;
    this.detail = init.detail;
    this.errors = init.errors;
    this.headers = init.headers;
  }

  get type(): string {
    return PROBLEM_TYPE_PREFIX + this.code;
  }

  /** toProblem renders the error for the wire; `requestId`/`instance` are added by the caller. */
  toProblem(extra: { instance?: string; requestId?: string } = {}): Problem {
    const problem: Problem = {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.detail,
      code: this.code,
      ...extra,
    };
    if (this.errors && this.errors.length > 0) problem.errors = this.errors;
    return problem;
  }

  /** fromProblem rebuilds an AppError from a problem document received over HTTP. */
  static fromProblem(problem: unknown, fallbackStatus = 502): AppError {
    const parsed = ProblemSchema.safeParse(problem);
    if (!parsed.success) {
      return new AppError({
        status: fallbackStatus,
        detail: 'The remote service answered with an error that is not a problem document',
      });
    }
    const { status, code, title, detail, errors } = parsed.data;
    return new AppError({ status, code, title, detail, errors });
  }

  static badRequest(detail: string, code?: string): AppError {
    return new AppError({ status: 400, detail, code });
  }
  static validation(detail: string, errors: FieldError[]): AppError {
    return new AppError({
      status: 400,
      code: 'validation-failed',
      title: 'Validation failed',
      detail,
      errors,
    });
  }
  static unauthorized(detail: string, code?: string): AppError {
    return new AppError({
      status: 401,
      detail,
      code,
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  }
  static forbidden(detail: string, code?: string): AppError {
    return new AppError({ status: 403, detail, code });
  }
  static notFound(detail: string, code?: string): AppError {
    return new AppError({ status: 404, detail, code });
  }
  static conflict(detail: string, code?: string): AppError {
    return new AppError({ status: 409, detail, code });
  }
  static unprocessable(detail: string, code?: string): AppError {
    return new AppError({ status: 422, detail, code });
  }
  static unavailable(detail: string, code?: string): AppError {
    return new AppError({ status: 503, detail, code });
  }
  static internal(detail = 'An unexpected error occurred', cause?: unknown): AppError {
    return new AppError({ status: 500, detail, cause });
  }
}

/** Driver and socket error codes meaning the database could not be reached (postgres.js, Node). */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);
/** SQLSTATEs of the same: class 08 (connection exception), 57P01–57P03 (shutting down, starting). */
const UNREACHABLE_STATES = /^(08|57P0[1-3])/;

/**
 * databaseUnreachable is the 503 for an error (or its cause, as drizzle wraps
 * driver errors) meaning the database cannot be reached now — it is restarting,
 * or the network to it is down — instead of a 500: the request may simply be
 * tried again. Undefined for any other error.
 */
export function databaseUnreachable(error: unknown): AppError | undefined {
  let current = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    if (isAppError(current)) return undefined;
    const code = (current as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      (UNREACHABLE_CODES.has(code) || UNREACHABLE_STATES.test(code))
    ) {
      return new AppError({
        status: 503,
        code: 'database-unreachable',
        detail: 'The database cannot be reached right now; try again shortly',
        headers: { 'retry-after': '1' },
        cause: error,
      });
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** isAppError narrows unknown values; works across copies of this module. */
export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** fieldErrorsFromZod turns zod issues into field errors with dotted paths. */
export function fieldErrorsFromZod(error: z.ZodError, prefix?: string): FieldError[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return { path: path || '(root)', message: issue.message, code: issue.code };
  });
}

/** validationError builds the 400 for a zod failure in a named request part. */
export function validationError(error: z.ZodError, part: string, prefix?: string): AppError {
  const errors = fieldErrorsFromZod(error, prefix);
  const fields = errors.map((e) => e.path).join(', ');
  return AppError.validation(`The ${part} is invalid: ${fields}`, errors);
}
