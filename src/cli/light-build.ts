/**
 * What the light build (dist/bundle/light.cjs, scripts/bundle.mjs) puts in place of every module
 * it leaves out: an import that fails with this error. light.ts catches it and the launcher runs
 * the same command line again in the full CLI — so a light command that needs more than a warm
 * run does (a cold scenario to check, `list --kinds`) still works, only not faster.
 */
const CODE = 'GAMEDAY_NOT_IN_LIGHT_BUILD';

export function notInLightBuild(module: string): Error {
  return Object.assign(new Error(`${module} is not in the light build: the full CLI runs this command`), { code: CODE });
}

export function isNotInLightBuild(e: unknown): boolean {
  return e instanceof Error && (e as { code?: unknown }).code === CODE;
}
