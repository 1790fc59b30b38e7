/**
 * The AWS IAM grants a drill of a scenario needs, from the injectors' own declarations
 * (`awsAccess`), its steady-state probes and its alarm stop conditions (both read AWS through the
 * probes' declarations). `gameday iam` renders them with core/aws-access.ts.
 */
import type { AwsAccess } from '../core/aws-access.js';
import type { ProbeSpec } from '../core/probe-spec.js';
import type { Scenario } from '../core/scenario.js';
import { FAULT_KINDS, injectors } from '../injectors/registry.js';
import { probeFor, probes } from '../probes/registry.js';
import { checkFaultSpecs } from '../runner/plan.js';
import { alarmStopSpecs } from './stop-conditions.js';

const probeAccess = (specs: readonly ProbeSpec[]): AwsAccess[] => specs.flatMap((p) => probeFor(p).awsAccess?.(p) ?? []);

export function scenarioAwsAccess(scenario: Pick<Scenario, 'id' | 'faults' | 'steadyState' | 'stopConditions'>): AwsAccess[] {
  const checked = checkFaultSpecs(scenario.faults, `${scenario.id}: faults`);
  const faults = checked.flatMap(({ injector, targetSpec, params }) => injector.awsAccess?.(targetSpec, params) ?? []);
  return [...faults, ...probeAccess(scenario.steadyState), ...probeAccess(alarmStopSpecs(scenario))];
}

/** Every AWS fault kind for any target, and every probe type that reads AWS: the policy for the whole catalog. */
export function catalogAwsAccess(): AwsAccess[] {
  const kinds = FAULT_KINDS.flatMap((k) => (injectors[k] as { awsAccess?: (s: undefined, p: undefined) => AwsAccess[] }).awsAccess?.(undefined, undefined) ?? []);
  const probeTypes = Object.values(probes).flatMap((p) => (p as { awsAccess?: (s: undefined) => AwsAccess[] }).awsAccess?.(undefined) ?? []);
  return [...kinds, ...probeTypes];
}
