// Every bootstrap step in order. A step's number fixes its place; its phase says which hosts wait for whom.
import type { StepDef } from './types.ts';
import { osPrep } from './0010-os-prep.ts';
import { siteCa } from './0015-site-ca.ts';
import { containerd } from './0020-containerd.ts';
import { kubePackages } from './0030-kube-packages.ts';
import { controlPlaneTimers } from './0035-control-plane-timers.ts';
import { etcdSnapshot } from './0037-etcd-snapshot.ts';
import { kubeVip, kubeVipJoined } from './0040-kube-vip.ts';
import { kubeadmInit } from './0050-kubeadm-init.ts';
import { joinCredentials } from './0055-join-credentials.ts';
import { joinControlPlane, joinWorker } from './0060-kubeadm-join.ts';

export const STEPS: readonly StepDef[] = [
  osPrep,
  siteCa,
  containerd,
  kubePackages,
  controlPlaneTimers,
  etcdSnapshot,
  kubeVip,
  kubeadmInit,
  joinCredentials,
  joinControlPlane,
  kubeVipJoined,
  joinWorker,
];
export * from './types.ts';
