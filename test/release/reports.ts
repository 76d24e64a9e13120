// What the drivers that run inside the network namespace print (one JSON line each).
import type { CommandResult, LoginResult, leftovers } from './installed.ts';
import type { SplitReport } from './split-flow.ts';

export interface ServeReport {
  url: string;
  /** The READY=1 datagram the installed daemon sent through systemd-notify (null without perl). */
  ready: string | null;
  login: LoginResult;
  badLoginStatus: number;
  kioskStatus: number | null;
  /** GET /api/v1/version's body. */
  version: string | null;
  exit: number | string;
  stderr: string;
}

export interface InstallFlowReport {
  install: CommandResult;
  modes: Record<string, { mode: string; uid: number; gid: number } | null>;
  user: CommandResult;
  serve1: ServeReport;
  /** The installed web and agent on the sim: a restart through the split. */
  split: SplitReport;
  reinstall: CommandResult;
  configKept: boolean;
  serve2: ServeReport;
  uninstall: CommandResult;
  afterUninstall: ReturnType<typeof leftovers>;
  purge: CommandResult;
  afterPurge: ReturnType<typeof leftovers>;
  afterPurgeFolders: { etc: boolean; state: boolean };
}

export interface AirgapReport {
  hostname: string;
  install: CommandResult;
  simUrl: string;
  user: CommandResult;
  daemon: { url: string; kioskUrl: string };
  chromiumFlags: string[];
  pages: { who: string; identity: string; workloads: string; logs: string; audit: string; settings: string; kiosk: string };
  daemonExit: number | string;
  simExit: number | string;
  purge: CommandResult;
}
