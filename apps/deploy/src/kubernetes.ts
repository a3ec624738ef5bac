// Kubernetes manifests for a container topology: a ConfigMap with the topology,
// a Deployment and a ClusterIP Service per topology service, and the gateway's
// Deployment and LoadBalancer Service — the only way in. Secrets are referenced,
// never generated: the service token, each service's DATABASE_URL, the users
// module's admin and signing key. A topology whose events go through NATS also
// gets a one-replica NATS StatefulSet (JetStream on a PersistentVolumeClaim) and
// its ClusterIP Service `nats`.
import { createHash } from 'node:crypto';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import type { IService } from 'kubernetes-models/v1/Service';
import {
  GATEWAY_COMMAND,
  NATS_ARGS,
  NATS_DATA_DIR,
  NATS_HEALTH_PATH,
  NATS_IMAGE,
  NATS_MONITOR_PORT,
  SERVER_COMMAND,
  TRUSTED_PROXIES,
} from './compose.js';
import {
  CONTAINER_PORT,
  GATEWAY_NAME,
  NATS_CLIENT_PORT,
  NATS_NAME,
  usesNats,
  type ContainerTopology,
} from './topologies.js';

/** DRAIN_MS is each server pod's SEAM_SHUTDOWN_DRAIN_MS. */
const DRAIN_MS = 5_000;

export type KubernetesObject = IConfigMap | IDeployment | IService | IStatefulSet;

/** IMAGE is the Seam image; point it at your registry with kustomize `images:`. */
export const IMAGE = 'seam:latest';
export const TOPOLOGY_CONFIG_MAP = 'seam-topology';
/** TOPOLOGY_MOUNT is where the ConfigMap's topology.json appears in every pod. */
export const TOPOLOGY_MOUNT = '/etc/seam';
export const TOPOLOGY_FILE = `${TOPOLOGY_MOUNT}/topology.json`;
/** Secrets the manifests refer to; docs/deploying.md shows how to create them. */
export const TOKEN_SECRET = { name: 'seam-service-token', key: 'token' };
export const DATABASES_SECRET = 'seam-databases';
export const USERS_SECRET = 'seam-users';
// From `npm run docker:verify` (docs/deploying.md): a server hosting all seven
// modules peaks near 940 MiB (with PGlite in-process), the gateway near 135 MiB.
const SERVER_RESOURCES = { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '1Gi' } };
const GATEWAY_RESOURCES = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { memory: '512Mi' },
};
/** NATS_STORAGE is the PersistentVolumeClaim of JetStream's stream files. */
export const NATS_STORAGE = '1Gi';
const NATS_RESOURCES = { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } };
/** The image's `node` user; NATS runs as the same unprivileged uid. */
const NODE_UID = 1000;
const POD_SECURITY: IPodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: NODE_UID,
  runAsGroup: NODE_UID,
  fsGroup: NODE_UID,
  seccompProfile: { type: 'RuntimeDefault' },
};
const CONTAINER_SECURITY: ISecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

/** kubernetesObjects builds every object of one topology, in apply order. */
export function kubernetesObjects(container: ContainerTopology, topologyJson: string) {
  const topologyHash = createHash('sha256').update(topologyJson).digest('hex').slice(0, 16);
  const objects: KubernetesObject[] = [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: TOPOLOGY_CONFIG_MAP, labels: labels(container, 'topology') },
      data: { 'topology.json': topologyJson },
    },
  ];
  if (usesNats(container)) {
    objects.push(
      natsStatefulSet(container),
      clusterService(container, NATS_NAME, 'ClusterIP', [
        { name: 'client', port: NATS_CLIENT_PORT },
        { name: 'monitor', port: NATS_MONITOR_PORT },
      ]),
    );
  }
  for (const [name, service] of Object.entries(container.topology.services)) {
    const env: IEnvVar[] = [
      { name: 'SEAM_SERVICE', value: name },
      { name: 'SEAM_TOPOLOGY', value: TOPOLOGY_FILE },
      {
        name: 'SEAM_SERVICE_TOKEN',
        valueFrom: { secretKeyRef: { name: TOKEN_SECRET.name, key: TOKEN_SECRET.key } },
      },
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: DATABASES_SECRET, key: name } } },
      // After SIGTERM a pod says "not ready" and keeps serving while the endpoints and
      // kube-proxy drop it, then closes: a rolling update fails no request.
      { name: 'SEAM_SHUTDOWN_DRAIN_MS', value: String(DRAIN_MS) },
      // Rate limits key on the client the gateway saw, not on the gateway's pod address.
      { name: 'SEAM_TRUST_PROXY', value: TRUSTED_PROXIES },
    ];
    const container_: IContainer = {
      ...baseContainer(name, SERVER_COMMAND, env),
      readinessProbe: probe('/health/ready', 5, 3),
      ...(service.modules.includes('users')
        ? { envFrom: [{ secretRef: { name: USERS_SECRET, optional: true } }] }
        : {}),
    };
    objects.push(
      deployment(container, name, container.replicas[name] ?? 1, container_, topologyHash),
      clusterService(container, name, 'ClusterIP', [{ name: 'http', port: CONTAINER_PORT }]),
    );
  }
  // The gateway is ready as long as it runs: its /health/ready turns 503 when any one
  // service is down, and taking the gateway out of the load balancer then would turn a
  // partial outage (503s on one module's routes) into a total one.
  const gateway: IContainer = {
    ...baseContainer(GATEWAY_NAME, GATEWAY_COMMAND, [
      { name: 'SEAM_TOPOLOGY', value: TOPOLOGY_FILE },
    ]),
    readinessProbe: probe('/health/live', 5, 3),
  };
  objects.push(
    deployment(container, GATEWAY_NAME, 1, gateway, topologyHash),
    clusterService(container, GATEWAY_NAME, 'LoadBalancer', [{ name: 'http', port: 80 }]),
  );
  return objects;
}

/** kubernetesPath is where a topology's manifests are written. */
export function kubernetesPath(topology: string): string {
  return `docker/kubernetes/${topology}.yaml`;
}

function baseContainer(name: string, command: string[], env: IEnvVar[]): IContainer {
  return {
    name,
    image: IMAGE,
    imagePullPolicy: 'IfNotPresent',
    command,
    env: [...env, { name: 'LOG_LEVEL', value: 'info' }],
    ports: [{ name: 'http', containerPort: CONTAINER_PORT, protocol: 'TCP' }],
    startupProbe: probe('/health/live', 2, 30),
    livenessProbe: probe('/health/live', 10, 3),
    resources: name === GATEWAY_NAME ? GATEWAY_RESOURCES : SERVER_RESOURCES,
    securityContext: CONTAINER_SECURITY,
    volumeMounts: [
      { name: 'topology', mountPath: TOPOLOGY_MOUNT, readOnly: true },
      // tsx caches compiled files under the temporary directory.
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
}

function deployment(
  container: ContainerTopology,
  name: string,
  replicas: number,
  main: IContainer,
  topologyHash: string,
): IDeployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: labels(container, name) },
    spec: {
      replicas,
      selector: { matchLabels: selector(name) },
      template: {
        metadata: {
          labels: labels(container, name),
          // A changed topology rolls every pod, which reads it only at start.
          annotations: { 'seam.dev/topology-sha256': topologyHash },
        },
        spec: {
          // SEAM_SHUTDOWN_DRAIN_MS (5 s) not ready, SEAM_SHUTDOWN_TIMEOUT_MS (10 s) of
          // in-flight requests, plus margin.
          terminationGracePeriodSeconds: 20,
          automountServiceAccountToken: false,
          securityContext: POD_SECURITY,
          containers: [main],
          volumes: [
            { name: 'topology', configMap: { name: TOPOLOGY_CONFIG_MAP } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  };
}

/**
 * natsStatefulSet runs one NATS server with JetStream, its stream files on a
 * PersistentVolumeClaim that outlives the pod. Its arguments follow the image's
 * entrypoint, which runs nats-server with them.
 */
function natsStatefulSet(container: ContainerTopology): IStatefulSet {
  const nats: IContainer = {
    name: NATS_NAME,
    image: NATS_IMAGE,
    imagePullPolicy: 'IfNotPresent',
    args: NATS_ARGS,
    ports: [
      { name: 'client', containerPort: NATS_CLIENT_PORT, protocol: 'TCP' },
      { name: 'monitor', containerPort: NATS_MONITOR_PORT, protocol: 'TCP' },
    ],
    startupProbe: probe(NATS_HEALTH_PATH, 2, 30, 'monitor'),
    livenessProbe: probe(NATS_HEALTH_PATH, 10, 3, 'monitor'),
    readinessProbe: probe(NATS_HEALTH_PATH, 5, 3, 'monitor'),
    resources: NATS_RESOURCES,
    securityContext: CONTAINER_SECURITY,
    volumeMounts: [{ name: 'data', mountPath: NATS_DATA_DIR }],
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: NATS_NAME, labels: labels(container, NATS_NAME) },
    spec: {
      serviceName: NATS_NAME,
      replicas: 1,
      selector: { matchLabels: selector(NATS_NAME) },
      template: {
        metadata: { labels: labels(container, NATS_NAME) },
        spec: {
          automountServiceAccountToken: false,
          securityContext: POD_SECURITY,
          containers: [nats],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data', labels: labels(container, NATS_NAME) },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: NATS_STORAGE } },
          },
        },
      ],
    },
  };
}

/** clusterService selects the pods of `name`; each port targets the container port of the same name. */
function clusterService(
  container: ContainerTopology,
  name: string,
  type: 'ClusterIP' | 'LoadBalancer',
  ports: { name: string; port: number }[],
): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: labels(container, name) },
    spec: {
      type,
      selector: selector(name),
      ports: ports.map(({ name, port }) => ({ name, port, targetPort: name, protocol: 'TCP' })),
    },
  };
}

function probe(
  path: string,
  periodSeconds: number,
  failureThreshold: number,
  port = 'http',
): IProbe {
  return {
    httpGet: { path, port },
    periodSeconds,
    timeoutSeconds: 3,
    failureThreshold,
  };
}

function selector(component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'seam', 'app.kubernetes.io/component': component };
}

function labels(container: ContainerTopology, component: string): Record<string, string> {
  return {
    ...selector(component),
    'app.kubernetes.io/part-of': 'seam',
    'seam.dev/topology': container.name,
  };
}
