/**
 * IAM enforcement on a private moto server, for testing the policies `gameday iam` renders.
 *
 * moto serves IAM but enforces it only after INITIAL_NO_AUTH_ACTION_COUNT requests; its server
 * mode sets that count at run time (POST /moto-api/reset-auth), so a test seeds its world and its
 * IAM users unauthenticated, then switches enforcement on. What moto 5.2 evaluates, read from
 * moto/iam/access_control.py and checked by test/integration/aws-iam-policy.test.ts:
 * - the Action element (wildcards included), Allow and explicit Deny, per IAM user: yes;
 * - the Resource element: every request of these services is checked against the resource "*",
 *   so a statement whose Resource is an ARN pattern never matches (even allowed calls are denied);
 * - Condition: not evaluated for these requests (no request context is passed), so a conditional
 *   Allow allows and a conditional Deny denies, whatever the tags.
 * `motoEvaluable` therefore widens Resources to "*" and keeps everything else as rendered.
 */
import type { IamPolicyDocument } from '../../../src/core/aws-access.js';

export interface AccessKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

/** One IAM query call, unsigned: only while enforcement is off (moto then takes any caller). */
async function iamCall(endpoint: string, params: Record<string, string>): Promise<string> {
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=gameday/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x' },
    body: new URLSearchParams({ Version: '2010-05-08', ...params }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`IAM ${params.Action} failed (${res.status}): ${text.slice(0, 300)}`);
  return text;
}

/** An IAM user holding exactly `policy` (inline), and its access keys. */
export async function createIamUser(endpoint: string, name: string, policy: IamPolicyDocument): Promise<AccessKeys> {
  await iamCall(endpoint, { Action: 'CreateUser', UserName: name });
  await iamCall(endpoint, { Action: 'PutUserPolicy', UserName: name, PolicyName: `${name}-policy`, PolicyDocument: JSON.stringify(policy) });
  const text = await iamCall(endpoint, { Action: 'CreateAccessKey', UserName: name });
  const accessKeyId = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(text)?.[1];
  const secretAccessKey = /<SecretAccessKey>([^<]+)<\/SecretAccessKey>/.exec(text)?.[1];
  if (!accessKeyId || !secretAccessKey) throw new Error(`CreateAccessKey returned no keys: ${text.slice(0, 300)}`);
  return { accessKeyId, secretAccessKey };
}

export const ALLOW_ALL: IamPolicyDocument = { Version: '2012-10-17', Statement: [{ Sid: 'All', Effect: 'Allow', Action: ['*'], Resource: ['*'] }] };

/** From now on every request must be signed by a known user and allowed by its policies. */
export async function enforceIam(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
  const body = await res.text();
  if (!res.ok || !body.includes('"ok"')) throw new Error(`moto would not enforce IAM (reset-auth ${res.status}): ${body.slice(0, 200)}`);
}

/** The policy as moto can evaluate it: Resources widened to "*" (see above); actions, effects and conditions as rendered. */
export function motoEvaluable(doc: IamPolicyDocument): IamPolicyDocument {
  return { ...doc, Statement: doc.Statement.map((s) => ({ ...s, Resource: ['*'] })) };
}
