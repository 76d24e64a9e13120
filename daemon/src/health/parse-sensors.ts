// Temperature sensors from the raw text of /sys/class/hwmon and /sys/class/thermal files.
// Values there are millidegrees Celsius.
import type { SensorSample } from '../protocol/health.ts';

export interface HwmonChipFiles {
  /** Directory name: hwmon0… */
  dir: string;
  /** Contents of `name`, trimmed; null when unreadable. */
  name: string | null;
  /** temp*_input/_label/_max/_crit file contents by file name. */
  files: Record<string, string>;
}

export interface ThermalZoneFiles {
  /** Directory name: thermal_zone0… */
  dir: string;
  type: string | null;
  temp: string | null;
  /** trip_point_N_type / trip_point_N_temp contents by file name. */
  trips: Record<string, string>;
}

function milli(text: string | undefined): number | null {
  if (text === undefined) return null;
  const v = Number(text.trim());
  if (!Number.isFinite(v) || text.trim() === '') return null;
  return Math.round(v / 100) / 10;
}

/** A reading outside this band is a disconnected or bogus input, not a temperature. */
function plausible(c: number | null): c is number {
  return c !== null && c > -60 && c < 200;
}

export function parseHwmonChip(chip: HwmonChipFiles): SensorSample[] {
  const chipName = chip.name ?? chip.dir;
  const inputs = Object.keys(chip.files)
    .map((f) => /^(temp\d+)_input$/.exec(f)?.[1])
    .filter((x): x is string => x !== undefined)
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
  const out: SensorSample[] = [];
  for (const input of inputs) {
    const celsius = milli(chip.files[`${input}_input`]);
    if (!plausible(celsius)) continue;
    const label = chip.files[`${input}_label`]?.trim();
    const high = milli(chip.files[`${input}_max`]);
    const crit = milli(chip.files[`${input}_crit`]);
    out.push({
      id: `hwmon:${chipName}/${input}`,
      label: label ? `${chipName} ${label}` : `${chipName} ${input}`,
      celsius,
      highC: plausible(high) && high > 0 ? high : null,
      criticalC: plausible(crit) && crit > 0 ? crit : null,
    });
  }
  return out;
}

export function parseThermalZone(zone: ThermalZoneFiles): SensorSample | null {
  const celsius = milli(zone.temp ?? undefined);
  if (!plausible(celsius)) return null;
  let high: number | null = null;
  let crit: number | null = null;
  for (const [file, type] of Object.entries(zone.trips)) {
    const m = /^trip_point_(\d+)_type$/.exec(file);
    if (!m) continue;
    const t = milli(zone.trips[`trip_point_${m[1]}_temp`]);
    if (!plausible(t) || t <= 0) continue;
    const kind = type.trim();
    if (kind === 'critical') crit = crit === null ? t : Math.min(crit, t);
    else if (kind === 'hot' || kind === 'passive') high = high === null ? t : Math.min(high, t);
  }
  const type = zone.type?.trim() || zone.dir;
  return { id: `thermal:${zone.dir}`, label: `${type} (${zone.dir.replace('thermal_zone', 'zone ')})`, celsius, highC: high, criticalC: crit };
}

/** hwmon sensors plus thermal zones that no hwmon chip already reports under the same name. */
export function collectSensors(chips: readonly HwmonChipFiles[], zones: readonly ThermalZoneFiles[]): SensorSample[] {
  const out = chips.flatMap(parseHwmonChip);
  const chipNames = new Set(chips.map((c) => c.name).filter((n): n is string => n !== null));
  for (const zone of zones) {
    if (zone.type && chipNames.has(zone.type.trim())) continue;
    const s = parseThermalZone(zone);
    if (s) out.push(s);
  }
  return out;
}
