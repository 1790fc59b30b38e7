/**
 * The narrow ports injectors and probes talk through. Interfaces only: implementations live in
 * src/adapters/ and are built once at the edge (src/adapters/ports.ts), lazily, for just the ports
 * the planned faults need. Tests pass real adapters pointed at the sandbox, or fakes for error paths.
 */
import type { KubePort } from './kube.js';
import type { AwsPorts } from './aws.js';

export interface PortSet extends AwsPorts {
  kube: KubePort;
}
export type PortName = keyof PortSet;
export type { KubePort } from './kube.js';
export type { AwsPorts } from './aws.js';
