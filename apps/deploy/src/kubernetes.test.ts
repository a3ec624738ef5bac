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
import {
  loadContainerTopology,
  SHIPPED_TOPOLOGIES,
  usesNats,
  type ContainerTopology,
} from './topologies.js';

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
      ...(usesNats(container) ? ['StatefulSet/nats', 'Service/nats'] : []),
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
          'unexpected kind networking.k8s.io/v1/Ingress; expected one of v1/ConfigMap, v1/Service, apps/v1/Deployment, apps/v1/StatefulSet',
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

describe('NATS in Kubernetes', () => {
  let split: ContainerTopology;
  let splitNats: ContainerTopology;
  beforeAll(async () => {
    split = await loadContainerTopology(REPO_ROOT, 'split');
    splitNats = await loadContainerTopology(REPO_ROOT, 'split-nats');
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const nats = (objects: any[], kind: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name === 'nats');

  it('runs one NATS pod with JetStream on a claim for /data, behind Service nats (split-nats)', async () => {
    const objects = await load('split-nats');
    const statefulSet = nats(objects, 'StatefulSet');
    const main = statefulSet.spec.template.spec.containers[0];

    expect(statefulSet.spec.replicas).toBe(1);
    expect(main.image).toMatch(/^nats:\d+\.\d+\.\d+-alpine$/);
    expect(main.args).toEqual(['-js', '-sd', '/data', '-m', '8222']);
    expect(main.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }]);
    expect(
      statefulSet.spec.volumeClaimTemplates.map(
        (c: { metadata: { name: string } }) => c.metadata.name,
      ),
    ).toEqual(['data']);
    expect(main.readinessProbe.httpGet).toEqual({
      path: '/healthz?js-enabled-only=true',
      port: 'monitor',
    });
    expect(nats(objects, 'Service').spec).toMatchObject({
      type: 'ClusterIP',
      ports: [
        { name: 'client', port: 4222, targetPort: 'client' },
        { name: 'monitor', port: 8222, targetPort: 'monitor' },
      ],
    });
    expect(JSON.parse(objects[0].data['topology.json']).events).toEqual({
      transport: 'nats',
      servers: ['nats://nats:4222'],
    });
  });

  it('has no NATS objects when events go over HTTP (split)', async () => {
    const objects = await load('split');

    expect(objects.filter((o) => o.metadata.name === 'nats')).toEqual([]);
    expect(JSON.parse(objects[0].data['topology.json']).events).toBeUndefined();
  });

  it('reports a NATS StatefulSet dropped by hand, and NATS objects where events go over HTTP', async () => {
    const objects = await load('split-nats');
    const json = await topologyJson('split-nats');
    const withoutStatefulSet = objects.filter((o) => o.kind !== 'StatefulSet');

    expect(kubernetesMismatches(withoutStatefulSet, splitNats, json, context)).toEqual([
      'nats: needs a StatefulSet and a Service',
    ]);

    const splitObjects = await load('split');
    splitObjects.push(nats(objects, 'StatefulSet'), nats(objects, 'Service'));
    expect(kubernetesMismatches(splitObjects, split, await topologyJson('split'), context)).toEqual(
      ['StatefulSet nats is not in the topology', 'Service nats is not in the topology'],
    );
  });

  it('reports a NATS without its claim or JetStream, on a wrong probe or port, and replicated', async () => {
    const objects = await load('split-nats');
    const json = await topologyJson('split-nats');
    const statefulSet = nats(objects, 'StatefulSet');
    const main = statefulSet.spec.template.spec.containers[0];
    statefulSet.spec.replicas = 3;
    delete statefulSet.spec.volumeClaimTemplates;
    main.args = ['-m', '8222'];
    main.readinessProbe.httpGet.path = '/healthz';
    nats(objects, 'Service').spec.ports[0].port = 4333;

    expect(kubernetesMismatches(objects, splitNats, json, context)).toEqual([
      "nats: the topology's servers (nats://nats:4222) are not nats:4333",
      'nats: args is not -js -sd /data -m 8222 (JetStream stored in /data)',
      'nats: replicas is not 1',
      'nats: the Service does not carry client port 4222 to the pod',
      'nats: /data is not on a claim of volumeClaimTemplates',
      'nats: readiness probe is not /healthz?js-enabled-only=true on 8222',
    ]);
  });

  it('rejects a StatefulSet that breaks its kind schema', async () => {
    const statefulSet = nats(await load('split-nats'), 'StatefulSet');
    statefulSet.spec.volumeClaimTemplates[0].spec.accessModes = 'ReadWriteOnce';
    delete statefulSet.spec.selector;

    expect(kubernetesProblems(statefulSet)).toEqual([
      { path: '/spec', message: 'must have required property selector' },
      { path: '/spec/volumeClaimTemplates/0/spec/accessModes', message: 'must be array' },
    ]);
  });
});
