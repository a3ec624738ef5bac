// The module graph as SVG: modules on a circle, a solid arrow for each pair of
// modules where one calls the other's operations, a dashed one for events
// (publisher → subscriber), several events between one pair drawn once. Hovering
// an arrow lists the callee's operations or the events.
import type { ModuleGraph } from './types.js';

const SVG = 'http://www.w3.org/2000/svg';
const SIZE = 520;
const RADIUS = 190;
const NODE_RADIUS = 38;

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

export function renderGraph(graph: ModuleGraph): SVGSVGElement {
  const root = svg('svg', {
    viewBox: `0 0 ${SIZE} ${SIZE}`,
    role: 'img',
    'aria-label': `Module graph: ${graph.modules.length} modules, ${graph.calls.length} call links, ${graph.events.length} event links`,
  });
  const defs = svg('defs', {});
  for (const kind of ['calls', 'events']) {
    const marker = svg('marker', {
      id: `arrow-${kind}`,
      viewBox: '0 0 10 10',
      refX: 10,
      refY: 5,
      markerWidth: 7,
      markerHeight: 7,
      orient: 'auto-start-reverse',
    });
    marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: `head ${kind}` }));
    defs.append(marker);
  }
  root.append(defs);

  const centre = SIZE / 2;
  const at = new Map<string, { x: number; y: number }>();
  const operationsOf = new Map(graph.modules.map((m) => [m.name, m.operations]));
  graph.modules.forEach(({ name }, i) => {
    const angle = (2 * Math.PI * i) / graph.modules.length - Math.PI / 2;
    at.set(name, { x: centre + RADIUS * Math.cos(angle), y: centre + RADIUS * Math.sin(angle) });
  });

  const edge = (from: string, to: string, kind: 'calls' | 'events', labels: string[]) => {
    const a = at.get(from);
    const b = at.get(to);
    if (!a || !b) return;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const length = Math.hypot(dx, dy) || 1;
    // Calls and events between the same pair are drawn side by side.
    const offset = kind === 'calls' ? -5 : 5;
    const nx = (-dy / length) * offset;
    const ny = (dx / length) * offset;
    const line = svg('line', {
      x1: a.x + (dx / length) * NODE_RADIUS + nx,
      y1: a.y + (dy / length) * NODE_RADIUS + ny,
      x2: b.x - (dx / length) * NODE_RADIUS + nx,
      y2: b.y - (dy / length) * NODE_RADIUS + ny,
      class: `edge ${kind}`,
      'marker-end': `url(#arrow-${kind})`,
      'data-from': from,
      'data-to': to,
    });
    line.append(svg('title', {}, `${from} → ${to} (${kind}): ${labels.join(', ')}`));
    root.append(line);
  };
  for (const link of graph.calls) {
    edge(link.from, link.to, 'calls', operationsOf.get(link.to) ?? []);
  }
  const eventsByPair = new Map<string, { from: string; to: string; events: string[] }>();
  for (const { from, to, event } of graph.events) {
    const pair = eventsByPair.get(`${from} ${to}`) ?? { from, to, events: [] };
    pair.events.push(event);
    eventsByPair.set(`${from} ${to}`, pair);
  }
  for (const link of eventsByPair.values()) edge(link.from, link.to, 'events', link.events);

  for (const [name, { x, y }] of at) {
    const group = svg('g', { class: 'node', 'data-module': name });
    group.append(svg('circle', { cx: x, cy: y, r: NODE_RADIUS }));
    group.append(svg('text', { x, y: y + 4, 'text-anchor': 'middle' }, name));
    root.append(group);
  }
  return root;
}
