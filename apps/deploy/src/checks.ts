// Cross-checks of deployment files against their topology: what a schema
// cannot know. Each returns one sentence per mismatch, [] when the file fits.
// The tests run them on the committed files and on broken copies.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  DATA_DIR,
  databaseName,
  GATEWAY_COMMAND,
  SERVER_COMMAND,
  type ComposeVariant,
} from './compose.js';
import { TOKEN_SECRET, TOPOLOGY_CONFIG_MAP, TOPOLOGY_FILE } from './kubernetes.js';
import {
  CONTAINER_PORT,
  GATEWAY_NAME,
  imagePath,
  POSTGRES_NAME,
  type ContainerTopology,
} from './topologies.js';

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface CheckContext {
  /** root is the repository, whose files the image contains. */
  root: string;
  /** inImage tells whether a repository path passes .dockerignore. */
  inImage: (path: string) => boolean;
}

/** composeMismatches compares a parsed Compose file with its topology. */
export function composeMismatches(
  compose: Loose,
  container: ContainerTopology,
  variant: ComposeVariant,
  context: CheckContext,
): string[] {
  const problems: string[] = [];
  const services: Loose = compose.services ?? {};
  const expected = [
    GATEWAY_NAME,
    ...Object.keys(container.topology.services),
    ...(variant === 'postgres' ? [POSTGRES_NAME] : []),
  ];
  const extra = Object.keys(services).filter((name) => !expected.includes(name));
  if (extra.length > 0) problems.push(`services not in the topology: ${extra.join(', ')}`);
  problems.push(...imageFileProblems(container.file, context));

  for (const [name, definition] of Object.entries(services)) {
    if (name !== GATEWAY_NAME && definition.ports !== undefined) {
      problems.push(`${name} publishes ports; only the gateway may`);
    }
    if (definition.network_mode === 'host') problems.push(`${name} uses the host network`);
  }

  const gateway = services[GATEWAY_NAME];
  if (!gateway) {
    problems.push('no gateway service');
  } else {
    problems.push(...commandProblems(GATEWAY_NAME, gateway.command, GATEWAY_COMMAND, context));
    if (gateway.environment?.SEAM_TOPOLOGY !== imagePath(container.file)) {
      problems.push(`gateway: SEAM_TOPOLOGY is not ${imagePath(container.file)}`);
    }
    const published: string[] = gateway.ports ?? [];
    if (published.length !== 1 || !String(published[0]).endsWith(`:${CONTAINER_PORT}`)) {
      problems.push(`gateway: must publish container port ${CONTAINER_PORT}, and only it`);
    }
    problems.push(...healthcheckProblems(GATEWAY_NAME, gateway.healthcheck));
  }

  const volumes = new Map<string, string>();
  const databases = new Map<string, string>();
  for (const [name, service] of Object.entries(container.topology.services)) {
    const definition = services[name];
    if (!definition) {
      problems.push(`service "${name}" is missing`);
      continue;
    }
    const env: Loose = definition.environment ?? {};
    problems.push(...commandProblems(name, definition.command, SERVER_COMMAND, context));
    if (env.SEAM_SERVICE !== name) problems.push(`${name}: SEAM_SERVICE is not "${name}"`);
    if (env.SEAM_TOPOLOGY !== imagePath(container.file)) {
      problems.push(`${name}: SEAM_TOPOLOGY is not ${imagePath(container.file)}`);
    }
    if (!/^\$\{SEAM_SERVICE_TOKEN:\?[^}]+\}$/.test(String(env.SEAM_SERVICE_TOKEN))) {
      problems.push(`${name}: SEAM_SERVICE_TOKEN must come from the environment, required`);
    }
    if (definition.deploy?.replicas !== (container.replicas[name] ?? 1)) {
      problems.push(`${name}: deploy.replicas is not ${container.replicas[name] ?? 1}`);
    }
    if (service.replicas.some((url) => new URL(url).port !== String(CONTAINER_PORT))) {
      problems.push(`${name}: the topology's replica port is not ${CONTAINER_PORT}`);
    }
    problems.push(...healthcheckProblems(name, definition.healthcheck));
    if (gateway?.depends_on?.[name]?.condition !== 'service_healthy') {
      problems.push(`gateway does not wait for ${name} to be healthy`);
    }

    if (variant === 'pglite') {
      const mount = (definition.volumes ?? []).find((v: string) =>
        String(v).endsWith(`:${DATA_DIR}`),
      );
      const volume = mount ? String(mount).split(':')[0]! : undefined;
      if (env.SEAM_DATA_DIR !== DATA_DIR || !volume || compose.volumes?.[volume] === undefined) {
        problems.push(`${name}: no named volume of its own at SEAM_DATA_DIR (${DATA_DIR})`);
      } else if (volumes.has(volume)) {
        problems.push(`${name}: shares volume ${volume} with ${volumes.get(volume)}`);
      } else {
        volumes.set(volume, name);
      }
    } else {
      const database = /@postgres:5432\/(\w+)$/.exec(String(env.DATABASE_URL))?.[1];
      const created = String(compose.configs?.['postgres-init']?.content ?? '');
      if (database !== databaseName(name)) {
        problems.push(`${name}: DATABASE_URL does not name its own database`);
      } else if (databases.has(database)) {
        problems.push(`${name}: shares database ${database} with ${databases.get(database)}`);
      } else if (!created.includes(`CREATE DATABASE ${database};`)) {
        problems.push(`${name}: database ${database} is not created by postgres-init`);
      } else {
        databases.set(database, name);
      }
      if (definition.depends_on?.[POSTGRES_NAME]?.condition !== 'service_healthy') {
        problems.push(`${name} does not wait for Postgres to be healthy`);
      }
    }
  }
  return problems;
}

/** kubernetesMismatches compares parsed Kubernetes objects with their topology. */
export function kubernetesMismatches(
  objects: Loose[],
  container: ContainerTopology,
  topologyJson: string,
  context: CheckContext,
): string[] {
  const problems: string[] = [];
  const find = (kind: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata?.name === name);
  const expected = [GATEWAY_NAME, ...Object.keys(container.topology.services)];

  const configMap = find('ConfigMap', TOPOLOGY_CONFIG_MAP);
  if (configMap?.data?.['topology.json'] !== topologyJson) {
    problems.push(`ConfigMap ${TOPOLOGY_CONFIG_MAP} does not carry ${container.file}`);
  }
  for (const object of objects) {
    const name = object.metadata?.name;
    if (!['ConfigMap', 'Deployment', 'Service'].includes(object.kind)) {
      problems.push(`unexpected ${object.kind} ${name}`);
    } else if (object.kind !== 'ConfigMap' && !expected.includes(name)) {
      problems.push(`${object.kind} ${name} is not in the topology`);
    }
    if (object.kind === 'Service') {
      const type = object.spec?.type ?? 'ClusterIP';
      const want = name === GATEWAY_NAME ? 'LoadBalancer' : 'ClusterIP';
      if (type !== want) problems.push(`Service ${name} is ${type}; expected ${want}`);
    }
  }

  for (const name of expected) {
    const deployment = find('Deployment', name);
    const service = find('Service', name);
    if (!deployment || !service) {
      problems.push(`${name}: needs a Deployment and a Service`);
      continue;
    }
    const isGateway = name === GATEWAY_NAME;
    const pod = deployment.spec?.template?.spec ?? {};
    const main = pod.containers?.[0] ?? {};
    const env = Object.fromEntries((main.env ?? []).map((e: Loose) => [e.name, e]));

    problems.push(
      ...commandProblems(name, main.command, isGateway ? GATEWAY_COMMAND : SERVER_COMMAND, context),
    );
    const labels = deployment.spec?.template?.metadata?.labels ?? {};
    const selects = (selector: Loose = {}) =>
      Object.keys(selector).length > 0 &&
      Object.entries(selector).every(([key, value]) => labels[key] === value);
    if (!selects(deployment.spec?.selector?.matchLabels)) {
      problems.push(`${name}: the Deployment's selector does not match its pods`);
    }
    if (!selects(service.spec?.selector)) {
      problems.push(`${name}: the Service does not select the Deployment's pods`);
    }

    if (env.SEAM_TOPOLOGY?.value !== TOPOLOGY_FILE) {
      problems.push(`${name}: SEAM_TOPOLOGY is not ${TOPOLOGY_FILE}`);
    }
    const mount = (main.volumeMounts ?? []).find((m: Loose) =>
      TOPOLOGY_FILE.startsWith(m.mountPath),
    );
    const volume = (pod.volumes ?? []).find((v: Loose) => v.name === mount?.name);
    if (volume?.configMap?.name !== TOPOLOGY_CONFIG_MAP) {
      problems.push(`${name}: ${TOPOLOGY_FILE} is not mounted from ${TOPOLOGY_CONFIG_MAP}`);
    }

    const containerPort = (main.ports ?? []).find((p: Loose) => p.name === 'http')?.containerPort;
    if (containerPort !== CONTAINER_PORT) {
      problems.push(`${name}: container port "http" is not ${CONTAINER_PORT}`);
    }
    const servicePort = service.spec?.ports?.[0];
    if (servicePort?.targetPort !== 'http') {
      problems.push(`${name}: the Service does not target port "http"`);
    }
    if (main.livenessProbe?.httpGet?.path !== '/health/live') {
      problems.push(`${name}: liveness probe is not /health/live`);
    }
    const readiness = isGateway ? '/health/live' : '/health/ready';
    if (main.readinessProbe?.httpGet?.path !== readiness) {
      problems.push(`${name}: readiness probe is not ${readiness}`);
    }
    if (!main.resources?.requests?.cpu || !main.resources?.requests?.memory) {
      problems.push(`${name}: no cpu and memory requests`);
    }
    if (pod.securityContext?.runAsNonRoot !== true || !(pod.securityContext?.runAsUser > 0)) {
      problems.push(`${name}: pods must run as a non-root uid`);
    }
    if (main.securityContext?.allowPrivilegeEscalation !== false) {
      problems.push(`${name}: privilege escalation is allowed`);
    }
    if ((main.ports ?? []).some((p: Loose) => p.hostPort !== undefined)) {
      problems.push(`${name}: binds a host port`);
    }
    if (isGateway) continue;

    const topologyService = container.topology.services[name]!;
    const url = new URL(topologyService.replicas[0]!);
    if (url.hostname !== name || Number(url.port) !== servicePort?.port) {
      problems.push(`${name}: the topology's ${url.origin} is not this Service's name and port`);
    }
    if (deployment.spec?.replicas !== (container.replicas[name] ?? 1)) {
      problems.push(`${name}: replicas is not ${container.replicas[name] ?? 1}`);
    }
    if (env.SEAM_SERVICE?.value !== name) problems.push(`${name}: SEAM_SERVICE is not "${name}"`);
    const token = env.SEAM_SERVICE_TOKEN?.valueFrom?.secretKeyRef;
    if (token?.name !== TOKEN_SECRET.name || token?.key !== TOKEN_SECRET.key) {
      problems.push(`${name}: SEAM_SERVICE_TOKEN is not read from Secret ${TOKEN_SECRET.name}`);
    }
    if (env.DATABASE_URL?.valueFrom?.secretKeyRef?.key !== name) {
      problems.push(`${name}: DATABASE_URL is not its own (Secret key "${name}")`);
    }
  }
  return problems;
}

/** imageFileProblems checks that a repository file is copied into the image. */
function imageFileProblems(file: string, context: CheckContext): string[] {
  if (!existsSync(join(context.root, file))) return [`${file} does not exist`];
  if (!context.inImage(file)) return [`${file} is left out of the image by .dockerignore`];
  return [];
}

function commandProblems(
  name: string,
  command: unknown,
  expected: string[],
  context: CheckContext,
): string[] {
  if (JSON.stringify(command) !== JSON.stringify(expected)) {
    return [`${name}: command is not ${expected.join(' ')}`];
  }
  return imageFileProblems(expected.at(-1)!, context).map((p) => `${name}: ${p}`);
}

function healthcheckProblems(name: string, healthcheck: Loose | undefined): string[] {
  const test = (healthcheck?.test ?? []).join(' ');
  return test.includes(`127.0.0.1:${CONTAINER_PORT}/health/ready`)
    ? []
    : [`${name}: healthcheck does not probe /health/ready`];
}
