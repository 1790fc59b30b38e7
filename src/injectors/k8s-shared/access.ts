/** Kubernetes access every namespaced kind needs, written once: the RBAC `gameday rbac` prints. */
import type { KubeAccess } from '../../core/kube-access.js';

/** Reading the target namespace: its opt-in label decides whether anything in it may be touched. */
export const namespaceOptInAccess = (namespace: string): KubeAccess => ({ apiGroup: '', resource: 'namespaces', verbs: ['get'], resourceNames: [namespace], why: 'the opt-in label of the target namespace' });
