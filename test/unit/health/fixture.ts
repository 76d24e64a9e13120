// Reads a recorded /proc or /sys file from test/fixtures/proc/<machine>/ (read-only input data).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/proc/', import.meta.url));

export function fixture(machine: string, relative: string): string {
  return readFileSync(`${FIXTURES}${machine}/${relative}`, 'utf8');
}
