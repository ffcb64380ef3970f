// Every labctl command, registered one way: each command family has a `<family>-register.ts` module that
// exports `register<Family>(program)` and whose actions lazy-import the command's module (so
// `labctl validate` does not load the SSH or Kubernetes clients). This list is the help's order:
// check and render, bootstrap, then day-2 (labs, images, secrets, access, on-call).
import type { Command } from 'commander';
import { registerValidate } from './validate-register.ts';
import { registerInit } from './init-register.ts';
import { registerDoctor } from './doctor-register.ts';
import { registerRender, registerDiff } from './render-register.ts';
import { registerClusterCommands } from './cluster-commands.ts';
import { registerHosts } from './hosts-register.ts';
import { registerImages } from './images-register.ts';
import { registerLabs } from './labs-register.ts';
import { registerSecrets } from './secrets-register.ts';
import { registerKubeconfig } from './kubeconfig-register.ts';
import { registerOncall } from './oncall-register.ts';
import { registerVersion } from './version-register.ts';
import { registerDay2 } from './day2-register.ts';
import { registerBackup } from './backup-register.ts';

export const COMMAND_FAMILIES: readonly ((program: Command) => void)[] = [
  registerValidate,
  registerInit,
  registerDoctor,
  registerRender,
  registerDiff,
  registerClusterCommands, // preflight, plan, up, reset, status
  registerDay2, // upgrade, remove
  registerBackup, // backup now|list, restore
  registerHosts,
  registerImages,
  registerLabs,
  registerSecrets,
  registerKubeconfig,
  registerOncall,
  registerVersion,
];

export function registerCommands(program: Command): void {
  for (const register of COMMAND_FAMILIES) register(program);
}
