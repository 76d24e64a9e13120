// Pure: the machine an ELF binary is built for (e_machine at offset 18), so the build can prove the
// only native file in a release is bin/node and that it matches the archive's architecture.

export type ElfMachine = 'x64' | 'arm64' | `machine ${number}`;

export function isElf(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
}

export function elfMachine(head: Uint8Array): ElfMachine | null {
  if (!isElf(head) || head.length < 20) return null;
  const littleEndian = head[5] === 1;
  const machine = littleEndian ? head[18]! | (head[19]! << 8) : (head[18]! << 8) | head[19]!;
  if (machine === 62) return 'x64';
  if (machine === 183) return 'arm64';
  return `machine ${machine}`;
}
