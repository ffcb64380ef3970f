// The three PriorityClasses of platform/scheduling.ts as an Application of the crds tier.
import type { Component, ComponentBuilder } from '../../model.ts';
import { k8s } from '../../model.ts';
import { priorityClasses } from '../../platform/scheduling.ts';
import { defineComponent } from '../../platform/component.ts';

export const priorityClassesComponent: ComponentBuilder = (): Component => ({
  // Cluster-scoped objects only; the destination namespace is one the crds project already has, so that
  // project gains no namespace (kube-system least of all).
  name: 'priority-classes',
  namespace: 'tigera-operator',
  tier: 'crds',
  manifests: priorityClasses().map((p) => k8s(p)),
  clusterResources: [{ group: 'scheduling.k8s.io', kind: 'PriorityClass' }],
});

export const component = defineComponent({ name: 'priority-classes', build: priorityClassesComponent });
