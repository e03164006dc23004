import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { PodMonitor, PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { KubeObject } from './render-kustomization.js';

// Offline schema validation: each kind the manifests use, mapped to its kubernetes-models class
// (Kubernetes 1.27 OpenAPI plus the prometheus-operator CRD). A kind missing here fails the test,
// so a new manifest kind cannot slip through unvalidated.

type Validating = new (data: unknown) => { validate(): void };

const MODELS: Record<string, Validating> = {
  'apps/v1/Deployment': Deployment as unknown as Validating,
  'v1/ConfigMap': ConfigMap as unknown as Validating,
  'v1/Secret': Secret as unknown as Validating,
  'v1/Service': Service as unknown as Validating,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as unknown as Validating,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy as unknown as Validating,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor as unknown as Validating,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule as unknown as Validating,
};

/** Throws with the schema errors when the object is not a valid instance of its kind. */
export function validateKubeObject(o: KubeObject): void {
  const Model = MODELS[`${o.apiVersion}/${o.kind}`];
  if (!Model) throw new Error(`no schema model for ${o.apiVersion} ${o.kind}`);
  new Model(o).validate();
}
