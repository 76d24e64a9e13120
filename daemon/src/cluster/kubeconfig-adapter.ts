// Adapter: kubeconfig discovery over the real environment and file system.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { chooseKubeconfig, type KubeconfigChoice } from './kubeconfig.ts';

export function discoverKubeconfig(configured: string | undefined, env: NodeJS.ProcessEnv = process.env): KubeconfigChoice | null {
  return chooseKubeconfig({ configured, env, homeDir: env.HOME ?? homedir(), exists: (p) => existsSync(p) });
}
