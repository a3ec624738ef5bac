// What every benchmark prints and parses the same way: the machine and its load,
// integer settings from flags or BENCH_* variables, percentiles, a bounded
// worker pool and side-by-side tables with ratios.
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** machineLine describes the CPU, memory and Node version the figures come from. */
export function machineLine(): string {
  const cpu = cpus();
  return `machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`;
}

/** loadAverage is the 1, 5 and 15 minute load average; other work skews every figure. */
export function loadAverage(): string {
  return loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
}

/** printMachine prints the machine, the load at the start and the run's settings. */
export function printMachine(settings: string): void {
  console.log(machineLine());
  console.log(
    `load average at the start: ${loadAverage()} on ${cpus().length} cores (1, 5, 15 min)`,
  );
  console.log(`settings: ${settings}`);
}

/** printLoadAtEnd closes a run with the load average, next to the figures it may explain. */
export function printLoadAtEnd(): void {
  console.log(
    `\nload average at the end: ${loadAverage()} on ${cpus().length} cores (other work on the machine skews every figure)`,
  );
}

/**
 * integerOption reads `--name` (already parsed) or BENCH_<NAME> and checks it is
 * an integer ≥ min.
 *
 * @example
 * const orders = integerOption('orders', values.orders, 100, 1);
 */
export function integerOption(
  name: string,
  flag: string | undefined,
  fallback: number,
  min: number,
): number {
  const variable = `BENCH_${name.toUpperCase().replaceAll('-', '_')}`;
  const raw = flag ?? process.env[variable];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`--${name} (or ${variable}) must be an integer ≥ ${min}`);
  }
  return value;
}

/** percentile picks the nearest-rank percentile `p` of ascending `sorted`. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export interface LatencySummary {
  count: number;
  /** perSecond is completed calls per second of wall time. */
  perSecond: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

/** summarize turns per-call latencies (ms) and the wall time (ms) into the usual figures. */
export function summarize(latencies: readonly number[], wallMs: number): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    count: sorted.length,
    perSecond: sorted.length / (wallMs / 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** pool runs task(0..count-1) with at most `limit` at a time and keeps the results in order. */
export async function pool<T>(
  count: number,
  limit: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

export interface Column {
  label: string;
  values: readonly number[];
}

/**
 * printTable prints rows of figures side by side, one column per run, and the
 * ratio of each column to the `baseline` column.
 *
 * @example
 * printTable(['orders/s', 'p50 (ms)'], [{ label: 'monolith', values: [30, 250] }, …], 0, [1, 1]);
 */
export function printTable(
  rows: readonly string[],
  columns: readonly Column[],
  baseline: number,
  digits: readonly number[],
): void {
  const base = columns[baseline]!;
  const others = columns.filter((_, i) => i !== baseline);
  const first = Math.max(...rows.map((r) => r.length)) + 2;
  const width = Math.max(12, ...columns.map((c) => c.label.length + 2));
  const ratioLabel = (c: Column) => `${c.label} ÷ ${base.label}`;
  const ratioWidth = Math.max(12, ...others.map((c) => ratioLabel(c).length + 2));
  console.log(
    ''.padEnd(first) +
      columns.map((c) => c.label.padStart(width)).join('') +
      others.map((c) => ratioLabel(c).padStart(ratioWidth)).join(''),
  );
  rows.forEach((row, r) => {
    const cells = columns.map((c) => c.values[r]!.toFixed(digits[r] ?? 1).padStart(width));
    const ratios = others.map((c) => {
      const a = c.values[r]!;
      const b = base.values[r]!;
      return (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a').padStart(ratioWidth);
    });
    console.log(row.padEnd(first) + cells.join('') + ratios.join(''));
  });
}

export function section(title: string): void {
  console.log(`\n== ${title}`);
}

export function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

/**
 * isMain reports whether the file at `moduleUrl` is the script node was asked to
 * run, so a benchmark file can export its measurement and still be a command.
 *
 * @example
 * if (isMain(import.meta.url)) await main();
 */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && pathToFileURL(resolve(script)).href === moduleUrl;
}

/** median of any numbers: the middle one, or the mean of the middle two (NaN for none). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  if (sorted.length === 0) return Number.NaN;
  return Number.isInteger(middle)
    ? (sorted[middle - 1]! + sorted[middle]!) / 2
    : sorted[Math.floor(middle)]!;
}

/** settle lets start-up garbage be collected and lazy work finish before reading memory. */
export function settle(ms = 2_000): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * IDLE_MS is how long a process is left without requests before its idle memory is
 * read. Two seconds after ready V8 still holds the young generation the start grew
 * (≈ 20 MiB of it unused); its memory reducer gives that back once allocation has
 * been low for a while (8–30 s). Both readings are reported.
 */
export const IDLE_MS = 30_000;

/** mib formats MiB with one decimal. */
export function mib(value: number): string {
  return `${value.toFixed(1)} MiB`;
}
