/**
 * What the Kubernetes injectors and probes may do to a cluster. Implemented by
 * src/adapters/kube/ with @kubernetes/client-node (loaded lazily), throttled by a token bucket.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface KubePort {}
