// First start: while no enabled admin exists, a one-time setup code is the only way in. It is shown
// in the log and on the kiosk, checked in constant time, and dies when the first admin is created.
import { randomInt, timingSafeEqual } from 'node:crypto';

// No 0/O, 1/I/L: the code is read off a screen and typed on a laptop.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function newSetupCode(): string {
  const groups: string[] = [];
  for (let g = 0; g < 3; g += 1) {
    let group = '';
    for (let i = 0; i < 4; i += 1) group += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}

function normalize(code: string): string {
  return code.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

export class SetupGate {
  private code: string | null;

  constructor(open: boolean, code: string = newSetupCode()) {
    this.code = open ? code : null;
  }

  get open(): boolean {
    return this.code !== null;
  }

  /** The code, for the log and the kiosk only. */
  get currentCode(): string | null {
    return this.code;
  }

  matches(candidate: string): boolean {
    if (this.code === null) return false;
    const a = Buffer.from(normalize(candidate));
    const b = Buffer.from(normalize(this.code));
    return a.length === b.length && timingSafeEqual(a, b);
  }

  close(): void {
    this.code = null;
  }
}
