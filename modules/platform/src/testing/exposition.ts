// A strict reader of the Prometheus text exposition format (version 0.0.4) for
// tests: every line must be a HELP, a TYPE or a sample of a declared family,
// label values correctly escaped, no series twice, histograms complete.
// It throws on the first line that breaks the grammar, naming it.

/** Sample is one parsed series line. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** families maps each declared family to its TYPE. */
  families: Map<string, string>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

/**
 * parseExposition reads a /metrics answer.
 *
 * @example
 * const { samples } = parseExposition(await (await fetch(`${url}/metrics`)).text());
 * samples.find((s) => s.name === 'seam_database_up')?.value; // 1
 */
export function parseExposition(text: string): Exposition {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, string>();
  const samples: Sample[] = [];
  const seen = new Set<string>();
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, index) => {
    const where = `line ${index + 1} (${JSON.stringify(line)})`;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!match) throw new Error(`${where}: a comment must be # HELP or # TYPE`);
      const [, kind, name, rest] = match;
      if (!NAME.test(name!)) throw new Error(`${where}: bad metric name`);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest!)) throw new Error(`${where}: unknown type`);
        if (families.has(name!)) throw new Error(`${where}: family declared twice`);
        if (samples.some((s) => familyOf(s.name, families) === name)) {
          throw new Error(`${where}: TYPE after the family's samples`);
        }
        families.set(name!, rest!);
      }
      return;
    }
    const sample = parseSample(line, where);
    const family = familyOf(sample.name, families);
    if (!family) throw new Error(`${where}: sample of an undeclared family`);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(key)) throw new Error(`${where}: series repeated`);
    seen.add(key);
    samples.push(sample);
  });
  checkHistograms(samples, families);
  return { samples, families };
}

function parseSample(line: string, where: string): Sample {
  const nameMatch = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!nameMatch) throw new Error(`${where}: a sample starts with a metric name`);
  const name = nameMatch[1]!;
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    while (!rest.startsWith('}')) {
      const label = /^([^=]+)="/.exec(rest);
      if (!label || !LABEL_NAME.test(label[1]!)) throw new Error(`${where}: bad label`);
      rest = rest.slice(label[0].length);
      let value = '';
      for (;;) {
        const char = rest[0];
        if (char === undefined) throw new Error(`${where}: unterminated label value`);
        if (char === '"') break;
        if (char === '\\') {
          const escaped = rest[1];
          if (escaped === 'n') value += '\n';
          else if (escaped === '\\' || escaped === '"') value += escaped;
          else throw new Error(`${where}: bad escape in a label value`);
          rest = rest.slice(2);
        } else {
          value += char;
          rest = rest.slice(1);
        }
      }
      if (label[1]! in labels) throw new Error(`${where}: label repeated`);
      labels[label[1]!] = value;
      rest = rest.slice(1);
      if (rest.startsWith(',')) rest = rest.slice(1);
      else if (!rest.startsWith('}')) throw new Error(`${where}: labels are separated by commas`);
    }
    rest = rest.slice(1);
  }
  const valueMatch = /^ (\S+)$/.exec(rest);
  if (!valueMatch) throw new Error(`${where}: a sample ends in one space and its value`);
  const raw = valueMatch[1]!;
  const value =
    raw === '+Inf'
      ? Number.POSITIVE_INFINITY
      : raw === '-Inf'
        ? Number.NEGATIVE_INFINITY
        : raw === 'NaN'
          ? Number.NaN
          : /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)
            ? Number(raw)
            : undefined;
  if (value === undefined) throw new Error(`${where}: ${raw} is not a number`);
  return { name, labels, value };
}

function familyOf(name: string, families: Map<string, string>): string | undefined {
  if (families.has(name)) return name;
  for (const suffix of HISTOGRAM_SUFFIXES) {
    const base = name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined;
    if (base && families.get(base) === 'histogram') return base;
  }
  return undefined;
}

/** checkHistograms: buckets rise, end at +Inf, and +Inf equals _count. */
function checkHistograms(samples: Sample[], families: Map<string, string>): void {
  for (const [family, type] of families) {
    if (type !== 'histogram') continue;
    const series = new Map<string, Sample[]>();
    for (const s of samples.filter((x) => x.name === `${family}_bucket`)) {
      const { le, ...rest } = s.labels;
      if (le === undefined) throw new Error(`${family}_bucket without le`);
      const key = JSON.stringify(Object.entries(rest).sort());
      series.set(key, [...(series.get(key) ?? []), s]);
    }
    for (const [key, buckets] of series) {
      const last = buckets.at(-1)!;
      if (last.labels.le !== '+Inf') throw new Error(`${family}${key}: no +Inf bucket last`);
      for (let i = 1; i < buckets.length; i++) {
        if (Number(buckets[i]!.labels.le) < Number(buckets[i - 1]!.labels.le)) {
          throw new Error(`${family}${key}: bucket bounds out of order`);
        }
        if (buckets[i]!.value < buckets[i - 1]!.value) {
          throw new Error(`${family}${key}: buckets are not cumulative`);
        }
      }
      const count = samples.find(
        (s) =>
          s.name === `${family}_count` && JSON.stringify(Object.entries(s.labels).sort()) === key,
      );
      if (count?.value !== last.value) throw new Error(`${family}${key}: +Inf is not _count`);
    }
  }
}
