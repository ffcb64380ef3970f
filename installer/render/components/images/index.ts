// The lab image catalog in the cluster: per image a DataImportCron that imports the containerDisk
// <harbor>/labs/<name>:<version> (pushed by `labctl images push`) into a PVC, and the DataSource <name>
// it keeps pointed at the newest import. Labs clone their disks from DataSource <name> in vm-images.
// A new version in images/<name>/image.yaml changes the URL here; the cron imports it at its next poll
// and labs created afterwards get it, while running VMs keep their clones.
import { createHash } from 'node:crypto';
import { Problem } from '../../../core/diagnostics.ts';
import { IMAGES_NAMESPACE, IMAGES_PROJECT, imageRepository, type CatalogImage } from '../../../images/catalog.ts';
import type { Component, ComponentBuilder, K8sObject, SecretNeed } from '../../model.ts';
import { defineComponent } from '../../platform/component.ts';
import { SITE_CA, siteCaNeeds } from '../../platform/site-issuer.ts';

const CDI = 'cdi.kubevirt.io/v1beta1';
/** CDI's label that marks a DataSource as managed by a DataImportCron (pkg/common: DataImportCronLabel). */
export const CRON_LABEL = 'cdi.kubevirt.io/dataImportCron';
export const PULL_SECRET = 'harbor-labs-pull';
/** After Harbor (platform, 10) and CDI; before the labs (20). */
export const IMAGES_WAVE = 15;

/** Polls hourly, at a minute derived from the name so the crons do not all hit Harbor at once. */
export const pollSchedule = (name: string) => `${createHash('sha256').update(name).digest()[0]! % 60} * * * *`;

export function imageObjects(
  img: CatalogImage,
  harbor: string,
  pullSecret?: string,
  certConfigMap?: string,
): K8sObject[] {
  const labels = { 'app.kubernetes.io/part-of': 'campus-lab-platform', 'app.kubernetes.io/component': 'vm-image' };
  const cron: K8sObject = {
    apiVersion: CDI,
    kind: 'DataImportCron',
    metadata: {
      name: img.name,
      namespace: IMAGES_NAMESPACE,
      labels,
      annotations: { 'labctl.dev/image-version': img.version },
    },
    spec: {
      template: {
        spec: {
          source: {
            registry: {
              url: `docker://${imageRepository(harbor, img.name)}:${img.version}`,
              pullMethod: 'pod',
              ...(pullSecret ? { secretRef: pullSecret } : {}),
              // internal-ca: Harbor's certificate is signed by the site CA; CDI takes CAs only from a ConfigMap.
              ...(certConfigMap ? { certConfigMap } : {}),
            },
          },
          storage: { resources: { requests: { storage: `${img.definition.minDiskGiB}Gi` } } },
        },
      },
      schedule: pollSchedule(img.name),
      garbageCollect: 'Outdated',
      importsToKeep: 2,
      managedDataSource: img.name,
    },
  };
  // Declared in Git so labs can rely on it; its spec.source belongs to the cron (ignored by ArgoCD).
  const dataSource: K8sObject = {
    apiVersion: CDI,
    kind: 'DataSource',
    metadata: { name: img.name, namespace: IMAGES_NAMESPACE, labels: { ...labels, [CRON_LABEL]: img.name } },
    spec: { source: {} },
  };
  return [cron, dataSource];
}

export const images: ComponentBuilder = ({ site, images: catalog }): Component | null => {
  if (catalog.length === 0) return null;
  const project = site.registry.projects.find((p) => p.name === IMAGES_PROJECT);
  if (!project) {
    throw new Problem(
      `${site.file}: registry.projects has no project "${IMAGES_PROJECT}"; lab images are pushed to ${site.hosts.harbor}/${IMAGES_PROJECT}/<name>. Add {name: ${IMAGES_PROJECT}} to registry.projects`,
    );
  }
  // A private project needs credentials for CDI's importer: a Harbor robot account with pull rights,
  // which only Harbor can issue, so the site supplies it (labctl secrets set).
  const secrets: SecretNeed[] = [
    ...siteCaNeeds(site, IMAGES_NAMESPACE, "CDI's importer (pulling lab images from Harbor)", { configMap: true }),
  ];
  if (!project.public)
    secrets.push(
      {
        ref: 'harbor/labs-pull-username',
        namespace: IMAGES_NAMESPACE,
        name: PULL_SECRET,
        key: 'accessKeyId',
        generate: { kind: 'external' },
        purpose: `Harbor robot account (pull on project ${IMAGES_PROJECT}) used by CDI to import lab images`,
      },
      {
        ref: 'harbor/labs-pull-token',
        namespace: IMAGES_NAMESPACE,
        name: PULL_SECRET,
        key: 'secretKey',
        generate: { kind: 'external' },
        purpose: `Token of that Harbor robot account`,
      },
    );
  const ca = site.tls.mode === 'internal-ca' ? SITE_CA.name : undefined;
  return {
    name: 'vm-images',
    namespace: IMAGES_NAMESPACE,
    tier: 'platform',
    wave: IMAGES_WAVE,
    manifests: catalog.flatMap((img) =>
      imageObjects(img, site.hosts.harbor, project.public ? undefined : PULL_SECRET, ca),
    ),
    // The CDI CRDs come from its operator at runtime; the cron fills each DataSource's source.
    syncOptions: ['SkipDryRunOnMissingResource=true', 'RespectIgnoreDifferences=true'],
    ignoreDifferences: [{ group: 'cdi.kubevirt.io', kind: 'DataSource', jsonPointers: ['/spec/source'] }],
    secrets,
  };
};

export const component = defineComponent({ name: 'images', build: images });
