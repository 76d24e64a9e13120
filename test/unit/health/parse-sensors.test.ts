import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectSensors, parseHwmonChip, parseThermalZone, type HwmonChipFiles, type ThermalZoneFiles } from '../../../daemon/src/health/parse-sensors.ts';
import { FIXTURES, fixture } from './fixture.ts';

function chips(machine: string): HwmonChipFiles[] {
  return readdirSync(`${FIXTURES}${machine}/sys/class/hwmon`).sort().map((dir) => {
    const files: Record<string, string> = {};
    for (const f of readdirSync(`${FIXTURES}${machine}/sys/class/hwmon/${dir}`)) if (f !== 'name') files[f] = fixture(machine, `sys/class/hwmon/${dir}/${f}`);
    return { dir, name: fixture(machine, `sys/class/hwmon/${dir}/name`).trim(), files };
  });
}

function zones(machine: string): ThermalZoneFiles[] {
  return readdirSync(`${FIXTURES}${machine}/sys/class/thermal`).filter((d) => d.startsWith('thermal_zone')).sort().map((dir) => {
    const trips: Record<string, string> = {};
    for (const f of readdirSync(`${FIXTURES}${machine}/sys/class/thermal/${dir}`)) if (f.startsWith('trip_point')) trips[f] = fixture(machine, `sys/class/thermal/${dir}/${f}`);
    return { dir, type: fixture(machine, `sys/class/thermal/${dir}/type`), temp: fixture(machine, `sys/class/thermal/${dir}/temp`), trips };
  });
}

describe('temperature sensors', () => {
  it('reads hwmon inputs with labels and their high and critical marks', () => {
    const sensors = collectSensors(chips('edge-rack'), zones('edge-rack'));
    const core0 = sensors.find((s) => s.id === 'hwmon:coretemp/temp2')!;
    expect(core0).toEqual({ id: 'hwmon:coretemp/temp2', label: 'coretemp Core 0', celsius: 96, highC: 80, criticalC: 100 });
    expect(sensors.find((s) => s.id === 'hwmon:nvme/temp1')).toMatchObject({ celsius: 41.9, highC: 81.9, criticalC: 84.9 });
  });

  it('names an unlabelled input after its chip', () => {
    expect(parseHwmonChip({ dir: 'hwmon2', name: 'acpitz', files: { temp1_input: '27800\n' } })[0]!.label).toBe('acpitz temp1');
  });

  it('skips an implausible reading (a disconnected input reading -273 °C)', () => {
    const sensors = collectSensors(chips('edge-rack'), []);
    expect(sensors.some((s) => s.id.startsWith('hwmon:bogus'))).toBe(false);
  });

  it('skips a thermal zone that an hwmon chip already reports, and takes the critical trip point', () => {
    const sensors = collectSensors(chips('edge-rack'), zones('edge-rack'));
    expect(sensors.filter((s) => s.id.startsWith('thermal:')).map((s) => s.id)).toEqual(['thermal:thermal_zone1']);
    expect(sensors.find((s) => s.id === 'thermal:thermal_zone1')).toMatchObject({ celsius: 53, criticalC: 100, highC: null, label: 'x86_pkg_temp (zone 1)' });
  });

  it('finds no sensors on the recorded VM', () => {
    expect(collectSensors([], zones('vm-no-sensors'))).toEqual([]);
  });

  it('reads a zone without a temperature as absent', () => {
    expect(parseThermalZone({ dir: 'thermal_zone3', type: 'x', temp: null, trips: {} })).toBeNull();
  });
});
