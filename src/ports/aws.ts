/**
 * What the AWS injectors and probes may do. Implemented by src/adapters/aws/ with the v3 SDK
 * clients, built by one factory (credential chain, region, optional local endpoint), loaded lazily.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AwsPorts {}
