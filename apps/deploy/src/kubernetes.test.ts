import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseTopology } from '@seam/platform';
import { REPO_ROOT } from '@seam/platform/processes';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { contextFilter } from './build-context.js';
import { kubernetesMismatches, type CheckContext } from './checks.js';
import { kubernetesPath } from './kubernetes.js';
import { kubernetesProblems } from './schemas.js';
import { KNOWN_MODULES } from './test-support.js';
import { loadContainerTopology, SHIPPED_TOPOLOGIES, type ContainerTopology } from './topologies.js';

let context: CheckContext;
beforeAll(async () => {
  context = { root: REPO_ROOT, inImage: await contextFilter(REPO_ROOT) };
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function load(name: string): Promise<any[]> {
  const text = await readFile(join(REPO_ROOT, kubernetesPath(name)), 'utf8');
  return parseAllDocuments(text).map((document) => {
    expect(document.errors).toEqual([]);
    return document.toJS();
  });
}

async function topologyJson(name: string): Promise<string> {
  return readFile(join(REPO_ROOT, `docker/topology/${name}.json`), 'utf8');
}

describe.each(SHIPPED_TOPOLOGIES)('docker/kubernetes/%s.yaml', (name) => {
  let container: ContainerTopology;
  beforeAll(async () => {
    container = await loadContainerTopology(REPO_ROOT, name);
  });

  it('holds only objects valid against the Kubernetes schema of their kind', async () => {
    const objects = await load(name);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/seam-topology',
      ...Object.keys(container.topology.services).flatMap((s) => [
        `Deployment/${s}`,
        `Service/${s}`,
      ]),
      'Deployment/gateway',
      'Service/gateway',
    ]);
    for (const object of objects) expect(kubernetesProblems(object)).toEqual([]);
  });

  it('carries a topology the services accept, and matches it service by service', async () => {
    const objects = await load(name);
    const json = await topologyJson(name);
    const carried = objects[0].data['topology.json'];
    expect(() => parseTopology(JSON.parse(carried), KNOWN_MODULES)).not.toThrow();
    expect(kubernetesMismatches(objects, container, json, context)).toEqual([]);
  });
});

describe('Kubernetes validation', () => {
  let container: ContainerTopology;
  beforeAll(async () => {
    container = await loadContainerTopology(REPO_ROOT, 'split');
  });

  it('rejects objects that break their kind schema', () => {
    expect(
      kubernetesProblems({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'catalog' },
        spec: { replicas: 'two' },
      }),
    ).toEqual([
      { path: '/spec', message: 'must have required property selector' },
      { path: '/spec', message: 'must have required property template' },
      { path: '/spec/replicas', message: 'must be integer' },
    ]);
    expect(kubernetesProblems({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' })).toEqual([
      {
        path: '/',
        message:
          'unexpected kind networking.k8s.io/v1/Ingress; expected one of v1/ConfigMap, v1/Service, apps/v1/Deployment',
      },
    ]);
  });

  it('rejects a probe on a named port written as an object', async () => {
    const objects = await load('split');
    const deployment = objects.find((o) => o.kind === 'Deployment');
    deployment.spec.template.spec.containers[0].readinessProbe.httpGet.port = { name: 'http' };
    expect(kubernetesProblems(deployment)).not.toEqual([]);
  });

  it('reports an exposed service, a missing Deployment and a shared database', async () => {
    const objects = await load('split');
    const json = await topologyJson('split');
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'catalog');
    service.spec.type = 'NodePort';
    const cart = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'cart');
    const cartEnv = cart.spec.template.spec.containers[0].env;
    cartEnv.find((e: { name: string }) => e.name === 'DATABASE_URL').valueFrom.secretKeyRef.key =
      'catalog';
    const withoutOrders = objects.filter(
      (o) => !(o.kind === 'Deployment' && o.metadata.name === 'orders'),
    );

    expect(kubernetesMismatches(withoutOrders, container, json, context)).toEqual([
      'Service catalog is NodePort; expected ClusterIP',
      'cart: DATABASE_URL is not its own (Secret key "cart")',
      'orders: needs a Deployment and a Service',
    ]);
  });

  it('reports a root pod, a wrong readiness probe and a stale topology', async () => {
    const objects = await load('split');
    const users = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'users');
    users.spec.template.spec.securityContext.runAsNonRoot = false;
    users.spec.template.spec.containers[0].readinessProbe.httpGet.path = '/health/live';

    expect(kubernetesMismatches(objects, container, '{}', context)).toEqual([
      'ConfigMap seam-topology does not carry docker/topology/split.json',
      'users: readiness probe is not /health/ready',
      'users: pods must run as a non-root uid',
    ]);
  });
});
