/**
 * The mark a fault leaves on what it changes, shared by every kind that changes an object in place:
 * `gameday.dev/fault=<drill>/<fault>` as an annotation (Kubernetes), or in a change's comment where
 * the object cannot carry one (Route 53 records). Revert acts only on an object still carrying its
 * own mark, so reverting twice, or reverting what was never injected, is a no-op; and players who
 * `kubectl describe` the object see who changed it.
 */
import type { FaultRef } from './contract.js';

export const FAULT_ANNOTATION = 'gameday.dev/fault';

/** drill/fault: unique per fault, and what the mark holds */
export const markOf = (ref: Pick<FaultRef, 'drillId' | 'faultId'>): string => `${ref.drillId}/${ref.faultId}`;
