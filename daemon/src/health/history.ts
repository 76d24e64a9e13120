// Bounded history of the key series: the last hour at 1 s and the last 24 h at 1 min, in typed
// arrays preallocated at construction. Invariant: memory never grows after construction; a
// missing value is NaN in the arrays and null on the wire.
import type { HealthHistory, HealthSeriesName, HistoryMemory, HistoryRange } from '../protocol/health.ts';

class Ring {
  readonly time: Float64Array;
  readonly values: Float32Array[];
  head = 0;
  length = 0;

  constructor(capacity: number, seriesCount: number) {
    this.time = new Float64Array(capacity);
    this.values = Array.from({ length: seriesCount }, () => new Float32Array(capacity).fill(Number.NaN));
  }

  get capacity(): number {
    return this.time.length;
  }

  push(time: number, values: ArrayLike<number>): void {
    const slot = (this.head + this.length) % this.capacity;
    this.time[slot] = time;
    for (let i = 0; i < this.values.length; i += 1) (this.values[i] as Float32Array)[slot] = values[i] as number;
    if (this.length < this.capacity) this.length += 1;
    else this.head = (this.head + 1) % this.capacity;
  }

  /** Index of the i-th oldest element. */
  at(i: number): number {
    return (this.head + i) % this.capacity;
  }

  get bytes(): number {
    return this.time.byteLength + this.values.reduce((sum, v) => sum + v.byteLength, 0);
  }
}

export interface HistoryOptions {
  fineCapacity?: number;
  coarseCapacity?: number;
  coarseStepS?: number;
}

export class HealthHistoryStore {
  readonly series: readonly HealthSeriesName[];
  private readonly fine: Ring;
  private readonly coarse: Ring;
  private readonly coarseStepS: number;
  private readonly sums: Float64Array;
  private readonly counts: Uint32Array;
  /** Reused for every record: recording allocates nothing. */
  private readonly scratch: Float64Array;
  private bucket = -1;

  constructor(series: readonly HealthSeriesName[], options: HistoryOptions = {}) {
    this.series = series;
    this.fine = new Ring(options.fineCapacity ?? 3600, series.length);
    this.coarse = new Ring(options.coarseCapacity ?? 1440, series.length);
    this.coarseStepS = options.coarseStepS ?? 60;
    this.sums = new Float64Array(series.length);
    this.counts = new Uint32Array(series.length);
    this.scratch = new Float64Array(series.length);
  }

  /** Records one point; `timeMs` must not go backwards by more than a step (clock steps are tolerated). */
  record(timeMs: number, point: Partial<Record<HealthSeriesName, number | null>>): void {
    const t = Math.round(timeMs / 1000);
    const values = this.scratch;
    for (let i = 0; i < this.series.length; i += 1) {
      const v = point[this.series[i] as HealthSeriesName];
      values[i] = v === null || v === undefined || !Number.isFinite(v) ? Number.NaN : v;
    }
    this.fine.push(t, values);

    const bucket = Math.floor(t / this.coarseStepS);
    if (this.bucket !== -1 && bucket !== this.bucket) this.flushCoarse();
    this.bucket = bucket;
    for (let i = 0; i < values.length; i += 1) {
      const v = values[i] as number;
      if (Number.isNaN(v)) continue;
      this.sums[i] = (this.sums[i] as number) + v;
      this.counts[i] = (this.counts[i] as number) + 1;
    }
  }

  private flushCoarse(): void {
    const means = this.series.map((_n, i) => ((this.counts[i] as number) > 0 ? (this.sums[i] as number) / (this.counts[i] as number) : Number.NaN));
    this.coarse.push(this.bucket * this.coarseStepS, means);
    this.sums.fill(0);
    this.counts.fill(0);
  }

  get memory(): HistoryMemory {
    return {
      series: this.series.length,
      pointsPerSeries: { fine: this.fine.capacity, coarse: this.coarse.capacity },
      bytes: this.fine.bytes + this.coarse.bytes + this.sums.byteLength + this.counts.byteLength + this.scratch.byteLength,
    };
  }

  get fineLength(): number {
    return this.fine.length;
  }
  get coarseLength(): number {
    return this.coarse.length;
  }

  /** The range downsampled by averaging to at most `maxPoints` points. */
  query(range: HistoryRange, maxPoints: number, names: readonly HealthSeriesName[] = this.series): HealthHistory {
    const ring = range === '1h' ? this.fine : this.coarse;
    const baseStep = range === '1h' ? 1 : this.coarseStepS;
    const per = Math.max(1, Math.ceil(ring.length / Math.max(1, maxPoints)));
    const time: number[] = [];
    const series: Partial<Record<HealthSeriesName, (number | null)[]>> = {};
    const indexes = names.map((n) => this.series.indexOf(n)).filter((i) => i >= 0);
    for (const i of indexes) series[this.series[i] as HealthSeriesName] = [];
    for (let start = 0; start < ring.length; start += per) {
      const end = Math.min(ring.length, start + per);
      time.push(ring.time[ring.at(end - 1)] as number);
      for (const si of indexes) {
        const values = ring.values[si] as Float32Array;
        let sum = 0;
        let count = 0;
        for (let k = start; k < end; k += 1) {
          const v = values[ring.at(k)] as number;
          if (!Number.isNaN(v)) {
            sum += v;
            count += 1;
          }
        }
        (series[this.series[si] as HealthSeriesName] as (number | null)[]).push(count > 0 ? Math.round((sum / count) * 100) / 100 : null);
      }
    }
    return { range, stepS: per * baseStep, time, series };
  }

  /** Mean of a series over the last `seconds` of fine history, or null. */
  recentMean(name: HealthSeriesName, seconds: number): number | null {
    const si = this.series.indexOf(name);
    if (si < 0) return null;
    const values = this.fine.values[si] as Float32Array;
    let sum = 0;
    let count = 0;
    for (let k = Math.max(0, this.fine.length - seconds); k < this.fine.length; k += 1) {
      const v = values[this.fine.at(k)] as number;
      if (!Number.isNaN(v)) {
        sum += v;
        count += 1;
      }
    }
    return count > 0 ? sum / count : null;
  }
}
