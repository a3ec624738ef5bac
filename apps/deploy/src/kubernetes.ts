// Kubernetes manifests for a container topology: a ConfigMap with the topology,
// a Deployment and a ClusterIP Service per topology service, and the gateway's
// Deployment and LoadBalancer Service — the only way in. Secrets are referenced,
// never generated: the service token, each service's DATABASE_URL, the users
// module's admin and signing key.
import { createHash } from 'node:crypto';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IService } from 'kubernetes-models/v1/Service';
import { GATEWAY_COMMAND, SERVER_COMMAND } from './compose.js';
import { CONTAINER_PORT, GATEWAY_NAME, type ContainerTopology } from './topologies.js';

export type KubernetesObject = IConfigMap | IDeployment | IService;

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
/** The image's `node` user. */
const NODE_UID = 1000;

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
  for (const [name, service] of Object.entries(container.topology.services)) {
    const env: IEnvVar[] = [
      { name: 'SEAM_SERVICE', value: name },
      { name: 'SEAM_TOPOLOGY', value: TOPOLOGY_FILE },
      {
        name: 'SEAM_SERVICE_TOKEN',
        valueFrom: { secretKeyRef: { name: TOKEN_SECRET.name, key: TOKEN_SECRET.key } },
      },
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: DATABASES_SECRET, key: name } } },
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
      clusterService(container, name, 'ClusterIP', CONTAINER_PORT),
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
    clusterService(container, GATEWAY_NAME, 'LoadBalancer', 80),
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
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
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
  const selector = { 'app.kubernetes.io/name': 'seam', 'app.kubernetes.io/component': name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: labels(container, name) },
    spec: {
      replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels: labels(container, name),
          // A changed topology rolls every pod, which reads it only at start.
          annotations: { 'seam.dev/topology-sha256': topologyHash },
        },
        spec: {
          // SEAM_SHUTDOWN_TIMEOUT_MS (10 s) of draining, plus margin.
          terminationGracePeriodSeconds: 20,
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: NODE_UID,
            runAsGroup: NODE_UID,
            fsGroup: NODE_UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
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

function clusterService(
  container: ContainerTopology,
  name: string,
  type: 'ClusterIP' | 'LoadBalancer',
  port: number,
): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: labels(container, name) },
    spec: {
      type,
      selector: { 'app.kubernetes.io/name': 'seam', 'app.kubernetes.io/component': name },
      ports: [{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

function probe(path: string, periodSeconds: number, failureThreshold: number) {
  return {
    httpGet: { path, port: 'http' },
    periodSeconds,
    timeoutSeconds: 3,
    failureThreshold,
  };
}

function labels(container: ContainerTopology, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'seam',
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': 'seam',
    'seam.dev/topology': container.name,
  };
}
