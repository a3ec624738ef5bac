// Validation of deployment files without a container engine: Compose files
// against the Compose Specification's JSON Schema, Kubernetes objects against
// the Kubernetes OpenAPI schema of their kind.
//
// - Compose: `schemas/compose.schema.json` of the dclint package (pinned; MIT),
//   which ships compose-spec/compose-spec's `schema/compose-spec.json`; checked
//   with ajv (draft-07).
// - Kubernetes: the validators of kubernetes-models (pinned; MIT), compiled from
//   the Kubernetes OpenAPI definitions (io.k8s.api.*). Like the API server's
//   schema they do not reject unknown fields; the generator is typed with the
//   same models, so a misspelt field does not compile.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';

export interface SchemaProblem {
  path: string;
  message: string;
}

const require = createRequire(import.meta.url);

/** COMPOSE_SCHEMA_FILE is the Compose Specification schema used, inside node_modules. */
export const COMPOSE_SCHEMA_FILE = join(
  dirname(require.resolve('dclint/package.json')),
  'schemas/compose.schema.json',
);

let composeValidator: ReturnType<Ajv['compile']> | undefined;

/** composeProblems lists every way `document` breaks the Compose Specification; [] when valid. */
export function composeProblems(document: unknown): SchemaProblem[] {
  if (!composeValidator) {
    // The file names draft-07 by an https URL Ajv does not know; Ajv's default is draft-07.
    const schema = JSON.parse(readFileSync(COMPOSE_SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
    delete schema.$schema;
    // strict: false tolerates the annotations the spec uses beyond draft-07 ("deprecated").
    composeValidator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  if (composeValidator(document)) return [];
  return (composeValidator.errors ?? []).map(problem);
}

/** KUBERNETES_KINDS are the kinds the manifests may contain, by `apiVersion/kind`. */
const KUBERNETES_KINDS = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
} as const;

/** kubernetesProblems checks one object against its kind's schema; [] when valid. */
export function kubernetesProblems(object: unknown): SchemaProblem[] {
  const { apiVersion, kind } = (object ?? {}) as { apiVersion?: unknown; kind?: unknown };
  const Model = KUBERNETES_KINDS[`${String(apiVersion)}/${String(kind)}` as 'v1/Service'];
  if (!Model) {
    return [
      {
        path: '/',
        message: `unexpected kind ${String(apiVersion)}/${String(kind)}; expected one of ${Object.keys(KUBERNETES_KINDS).join(', ')}`,
      },
    ];
  }
  try {
    new Model(object as never).validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: ErrorObject[] }).errors;
    if (!errors) throw error;
    return errors.map(problem);
  }
}

function problem(error: ErrorObject): SchemaProblem {
  const detail =
    error.keyword === 'additionalProperties'
      ? `${error.message} "${(error.params as { additionalProperty: string }).additionalProperty}"`
      : (error.message ?? error.keyword);
  return { path: error.instancePath || '/', message: detail };
}
