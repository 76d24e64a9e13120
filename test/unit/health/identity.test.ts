import { describe, expect, it } from 'vitest';
import { identityFromFiles, parseOsRelease, usableValue, type IdentityFiles } from '../../../daemon/src/health/parse-identity.ts';

const none: IdentityFiles = {
  hostname: 'edge-7',
  kernel: '6.1.0-28-amd64',
  arch: 'x64',
  osType: 'Linux',
  osRelease: null,
  dmiVendor: null,
  dmiProduct: null,
  dmiBoardVendor: null,
  dmiBoardName: null,
  dmiSerial: null,
  deviceTreeModel: null,
  deviceTreeSerial: null,
  machineId: null,
};

describe('os-release', () => {
  it('reads quoted and unquoted values and undoes shell escapes', () => {
    const fields = parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME=Debian\nVERSION_ID=\'12\'\nX="a \\"b\\" \\$c"\n# comment\n');
    expect(fields.get('PRETTY_NAME')).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(fields.get('NAME')).toBe('Debian');
    expect(fields.get('VERSION_ID')).toBe('12');
    expect(fields.get('X')).toBe('a "b" $c');
  });
});

describe('identity from files', () => {
  it('names an x86 box by its DMI vendor and product, its OS by PRETTY_NAME, and reads the firmware serial', () => {
    const id = identityFromFiles({ ...none, osRelease: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n', dmiVendor: 'Siemens AG\n', dmiProduct: 'SIMATIC IPC127E\n', dmiSerial: 'SVPK1234567\n', machineId: 'abc\n' });
    expect(id).toEqual({ hostname: 'edge-7', os: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-28-amd64', arch: 'x64', model: 'Siemens AG SIMATIC IPC127E', serial: 'SVPK1234567' });
  });

  it('says the vendor once when the product name already starts with it', () => {
    expect(identityFromFiles({ ...none, dmiVendor: 'Dell Inc.', dmiProduct: 'Dell Inc. OptiPlex 3000' }).model).toBe('Dell Inc. OptiPlex 3000');
  });

  it('falls back from firmware placeholders to the board, and from a root-only serial to the machine id', () => {
    const id = identityFromFiles({ ...none, dmiVendor: 'To be filled by O.E.M.', dmiProduct: 'System Product Name', dmiBoardVendor: 'ASRock', dmiBoardName: 'J4125-ITX', machineId: '0f1e2d3c4b5a69788796a5b4c3d2e1f0\n' });
    expect(id.model).toBe('ASRock J4125-ITX');
    expect(id.serial).toBe('0f1e2d3c4b5a69788796a5b4c3d2e1f0');
  });

  it('reads an ARM board from the device tree, whose strings end in NUL', () => {
    const id = identityFromFiles({ ...none, arch: 'arm64', deviceTreeModel: 'Raspberry Pi 4 Model B Rev 1.5\0', deviceTreeSerial: '10000000a1b2c3d4\0', machineId: 'ffff' });
    expect(id.model).toBe('Raspberry Pi 4 Model B Rev 1.5');
    expect(id.serial).toBe('10000000a1b2c3d4');
  });

  it('uses NAME and VERSION without PRETTY_NAME, and uname when os-release is missing', () => {
    expect(identityFromFiles({ ...none, osRelease: 'NAME="Ubuntu"\nVERSION="24.04 LTS (Noble Numbat)"\n' }).os).toBe('Ubuntu 24.04 LTS (Noble Numbat)');
    expect(identityFromFiles(none)).toMatchObject({ os: 'Linux 6.1.0-28-amd64', model: null, serial: null });
  });

  it('treats empty, zero and placeholder values as unknown', () => {
    for (const v of ['', '  \n', 'Default string', 'Not Specified', '0000000000', 'None', '\0']) expect(usableValue(v)).toBeNull();
    expect(usableValue(' C07XK1 \n')).toBe('C07XK1');
  });
});
