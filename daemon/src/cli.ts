#!/usr/bin/env node
// The `outpost` command: every entry point of the daemon. From a checkout: npm run outpost -- ARGS.
import { readPackageVersion } from './lib/package-info.ts';

interface Command {
  summary: string;
  /** Loaded on use, so `outpost --version` does not load the daemon. */
  load(): Promise<{ help: string; run(args: string[]): Promise<number> }>;
}

const commands: Record<string, Command> = {
  serve: {
    summary: 'run the web daemon and the LocalUI',
    load: async () => {
      const m = await import('./cli/serve.ts');
      return { help: m.serveHelp, run: m.serveCommand };
    },
  },
  agent: {
    summary: 'run the privileged agent (restarts, upgrades, the audit key) on its socket',
    load: async () => {
      const m = await import('./cli/agent.ts');
      return { help: m.agentHelp, run: m.agentCommand };
    },
  },
  user: {
    summary: 'add, list, disable users and set passwords (daemon running or not)',
    load: async () => {
      const m = await import('./cli/user.ts');
      return { help: m.userHelp, run: m.userCommand };
    },
  },
  audit: {
    summary: 'verify the audit log’s hash chain',
    load: async () => {
      const m = await import('./cli/audit.ts');
      return { help: m.auditHelp, run: m.auditCommand };
    },
  },
  upgrade: {
    summary: 'offer, apply, roll back bundles; status and history (through the daemon when it runs)',
    load: async () => {
      const m = await import('./cli/upgrade.ts');
      return { help: m.upgradeHelp, run: m.upgradeCommand };
    },
  },
  bundle: {
    summary: 'keygen, build, inspect and verify signed bundles',
    load: async () => {
      const m = await import('./cli/bundle.ts');
      return { help: m.bundleHelp, run: m.bundleCommand };
    },
  },
  usb: {
    summary: 'attach or detach a USB stick (run by udev and outpost-usb@.service)',
    load: async () => {
      const m = await import('./cli/usb.ts');
      return { help: m.usbHelp, run: m.usbCommand };
    },
  },
  'support-bundle': {
    summary: 'write a support bundle (.tar.gz) for the vendor: logs, health, cluster state; never secrets',
    load: async () => {
      const m = await import('./cli/support-bundle.ts');
      return { help: m.supportBundleHelp, run: m.supportBundleCommand };
    },
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: outpost COMMAND [ARGS]\n\ncommands:\n${lines.join('\n')}\n\noptions:\n  --help     show this help (or \`outpost COMMAND --help\`)\n  --version  print the version\n`;
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(usage());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-v') {
    process.stdout.write(`outpost ${readPackageVersion()}\n`);
    return 0;
  }
  const command = commands[first];
  if (!command) {
    process.stderr.write(`outpost: unknown command '${first}'\n\n${usage()}`);
    return 2;
  }
  const loaded = await command.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${loaded.help}\n`);
    return 0;
  }
  return loaded.run(rest);
}

const [major] = process.versions.node.split('.').map(Number);
if ((major ?? 0) < 24) {
  process.stderr.write(`outpost: needs Node 24 LTS, running on ${process.versions.node}; use npm run outpost -- ARGS\n`);
  process.exit(1);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`outpost: ${message}\n`);
    process.exitCode = 1;
  },
);
