// Cross-checks of deployment files against their topology: what a schema
// cannot know. Each returns one sentence per mismatch, [] when the file fits.
// The tests run them on the committed files and on broken copies.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  DATA_DIR,
  databaseName,
  GATEWAY_COMMAND,
  NATS_ARGS,
  NATS_DATA_DIR,
  NATS_HEALTH_PATH,
  NATS_MONITOR_PORT,
  SERVER_COMMAND,
  type ComposeVariant,
} from './compose.js';
import { GRAFANA_NAME, observabilityMismatches, PROMETHEUS_NAME } from './observability.js';
import { TOKEN_SECRET, TOPOLOGY_CONFIG_MAP, TOPOLOGY_FILE } from './kubernetes.js';
import {
  CONTAINER_PORT,
  GATEWAY_NAME,
  imagePath,
  NATS_CLIENT_PORT,
  NATS_NAME,
  POSTGRES_NAME,
  usesNats,
  type ContainerTopology,
} from './topologies.js';

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** PINNED_NATS is a NATS image pinned to a release, not a moving tag such as `latest`. */
const PINNED_NATS = /^nats:\d+\.\d+\.\d+(-[\w.]+)?$/;

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
    ...(usesNats(container) ? [NATS_NAME] : []),
    PROMETHEUS_NAME,
    GRAFANA_NAME,
  ];
  const extra = Object.keys(services).filter((name) => !expected.includes(name));
  if (extra.length > 0) problems.push(`services not in the topology: ${extra.join(', ')}`);
  problems.push(...imageFileProblems(container.file, context));
  problems.push(...observabilityMismatches(compose, container, context));

  for (const [name, definition] of Object.entries(services)) {
    const loopbackOnly =
      name === GRAFANA_NAME &&
      (definition.ports ?? []).every((p: unknown) => String(p).startsWith('127.0.0.1:'));
    if (name !== GATEWAY_NAME && definition.ports !== undefined && !loopbackOnly) {
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
  if (usesNats(container)) problems.push(...composeNatsProblems(compose, container));

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
    if (
      usesNats(container) &&
      definition.depends_on?.[NATS_NAME]?.condition !== 'service_healthy'
    ) {
      problems.push(`${name} does not wait for NATS to be healthy`);
    }
  }
  return problems;
}

/** composeNatsProblems checks the NATS server of a topology whose events go through NATS. */
function composeNatsProblems(compose: Loose, container: ContainerTopology): string[] {
  const nats: Loose | undefined = compose.services?.[NATS_NAME];
  if (!nats) return [`no ${NATS_NAME} service; the topology's events go through NATS`];
  const problems = [
    ...natsServerProblems(container, NATS_CLIENT_PORT),
    ...natsImageProblems(nats.image),
    ...natsArgsProblems('command', nats.command),
  ];
  const mount = (nats.volumes ?? []).find((v: unknown) => String(v).endsWith(`:${NATS_DATA_DIR}`));
  const volume = mount ? String(mount).split(':')[0]! : undefined;
  if (!volume || compose.volumes?.[volume] === undefined) {
    problems.push(`${NATS_NAME}: no named volume at ${NATS_DATA_DIR} (JetStream's store)`);
  }
  const test = (nats.healthcheck?.test ?? []).join(' ');
  if (!test.includes(`:${NATS_MONITOR_PORT}${NATS_HEALTH_PATH}`)) {
    problems.push(
      `${NATS_NAME}: healthcheck does not probe ${NATS_HEALTH_PATH} on ${NATS_MONITOR_PORT}`,
    );
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
  const nats = usesNats(container) ? [NATS_NAME] : [];
  const allowed: Record<string, string[]> = {
    Deployment: expected,
    Service: [...expected, ...nats],
    StatefulSet: nats,
  };

  const configMap = find('ConfigMap', TOPOLOGY_CONFIG_MAP);
  if (configMap?.data?.['topology.json'] !== topologyJson) {
    problems.push(`ConfigMap ${TOPOLOGY_CONFIG_MAP} does not carry ${container.file}`);
  }
  for (const object of objects) {
    const name = object.metadata?.name;
    if (object.kind !== 'ConfigMap' && !allowed[object.kind]) {
      problems.push(`unexpected ${object.kind} ${name}`);
    } else if (object.kind !== 'ConfigMap' && !allowed[object.kind]!.includes(name)) {
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
    problems.push(...selectorProblems(name, deployment, service));

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
    problems.push(...podProblems(name, pod));
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
  if (usesNats(container)) problems.push(...kubernetesNatsProblems(objects, container));
  return problems;
}

/** kubernetesNatsProblems checks the NATS StatefulSet and Service of a topology whose events go through NATS. */
function kubernetesNatsProblems(objects: Loose[], container: ContainerTopology): string[] {
  const find = (kind: string) =>
    objects.find((o) => o.kind === kind && o.metadata?.name === NATS_NAME);
  const statefulSet = find('StatefulSet');
  const service = find('Service');
  if (!statefulSet || !service) return [`${NATS_NAME}: needs a StatefulSet and a Service`];
  const pod = statefulSet.spec?.template?.spec ?? {};
  const main = pod.containers?.[0] ?? {};
  const containerPort = (port: unknown) =>
    (main.ports ?? []).find((p: Loose) => p.name === port)?.containerPort;
  const servicePort = (name: string) =>
    (service.spec?.ports ?? []).find((p: Loose) => p.name === name);
  const client = servicePort('client');
  const problems = [
    ...selectorProblems(NATS_NAME, statefulSet, service),
    ...natsServerProblems(container, client?.port),
    ...natsImageProblems(main.image),
    ...natsArgsProblems('args', main.args),
    ...podProblems(NATS_NAME, pod),
  ];
  if (statefulSet.spec?.replicas !== 1) problems.push(`${NATS_NAME}: replicas is not 1`);
  for (const [name, port] of [
    ['client', NATS_CLIENT_PORT],
    ['monitor', NATS_MONITOR_PORT],
  ] as const) {
    const exposed = servicePort(name);
    if (exposed?.port !== port || containerPort(exposed?.targetPort) !== port) {
      problems.push(`${NATS_NAME}: the Service does not carry ${name} port ${port} to the pod`);
    }
  }
  const mount = (main.volumeMounts ?? []).find((m: Loose) => m.mountPath === NATS_DATA_DIR);
  const claims: Loose[] = statefulSet.spec?.volumeClaimTemplates ?? [];
  if (!mount || !claims.some((claim) => claim.metadata?.name === mount.name)) {
    problems.push(`${NATS_NAME}: ${NATS_DATA_DIR} is not on a claim of volumeClaimTemplates`);
  }
  const readiness = main.readinessProbe?.httpGet;
  if (
    readiness?.path !== NATS_HEALTH_PATH ||
    containerPort(readiness?.port) !== NATS_MONITOR_PORT
  ) {
    problems.push(
      `${NATS_NAME}: readiness probe is not ${NATS_HEALTH_PATH} on ${NATS_MONITOR_PORT}`,
    );
  }
  return problems;
}

/** selectorProblems checks that a workload's selector matches its pods and its Service selects them. */
function selectorProblems(name: string, workload: Loose, service: Loose): string[] {
  const problems: string[] = [];
  const labels = workload.spec?.template?.metadata?.labels ?? {};
  const selects = (selector: Loose = {}) =>
    Object.keys(selector).length > 0 &&
    Object.entries(selector).every(([key, value]) => labels[key] === value);
  if (!selects(workload.spec?.selector?.matchLabels)) {
    problems.push(`${name}: the ${workload.kind}'s selector does not match its pods`);
  }
  if (!selects(service.spec?.selector)) {
    problems.push(`${name}: the Service does not select the ${workload.kind}'s pods`);
  }
  return problems;
}

/** podProblems checks what every pod needs: requests, a non-root uid, no escalation, no host port. */
function podProblems(name: string, pod: Loose): string[] {
  const problems: string[] = [];
  const main = pod.containers?.[0] ?? {};
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
  return problems;
}

/** natsServerProblems checks that the topology's NATS servers are the deployment's own, at `port`. */
function natsServerProblems(container: ContainerTopology, port: unknown): string[] {
  const events = container.topology.events;
  const servers = events?.transport === 'nats' ? events.servers : [];
  return servers.every((url) => {
    const parsed = new URL(url);
    return parsed.hostname === NATS_NAME && Number(parsed.port) === port;
  })
    ? []
    : [
        `${NATS_NAME}: the topology's servers (${servers.join(', ')}) are not ${NATS_NAME}:${String(port)}`,
      ];
}

function natsImageProblems(image: unknown): string[] {
  return PINNED_NATS.test(String(image))
    ? []
    : [`${NATS_NAME}: image ${String(image)} is not a NATS release pinned by version`];
}

function natsArgsProblems(field: string, args: unknown): string[] {
  return JSON.stringify(args) === JSON.stringify(NATS_ARGS)
    ? []
    : [
        `${NATS_NAME}: ${field} is not ${NATS_ARGS.join(' ')} (JetStream stored in ${NATS_DATA_DIR})`,
      ];
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
  const script = expected.find((arg) => /\.(mjs|js|ts)$/.test(arg))!;
  return imageFileProblems(script, context).map((p) => `${name}: ${p}`);
}

function healthcheckProblems(name: string, healthcheck: Loose | undefined): string[] {
  const test = (healthcheck?.test ?? []).join(' ');
  return test.includes(`127.0.0.1:${CONTAINER_PORT}/health/ready`)
    ? []
    : [`${name}: healthcheck does not probe /health/ready`];
}
