/**
 * Lists read as plain JSON, a page at a time. client-node turns every answer into typed model
 * objects (its ObjectSerializer walks each field of each item): for a namespace of 10,000 pods that
 * was ≈ 1 s of CPU and most of the memory of `gameday plan` on 2 cores (issue 15), while the
 * injectors need a dozen fields, which convert.ts reads from plain JSON already (watch events come
 * as plain JSON). Pages of PAGE_SIZE items (kubectl's chunk size) keep one answer's text small and
 * let each page become PodInfos before the next arrives.
 *
 * Authentication is client-node's own (kc.applyToHTTPSOptions: certificates, tokens, exec plugins
 * such as `aws eks get-token`); the socket is the same kept-alive agent the typed clients use
 * (bounded.ts); the request is bounded like every other call (callSignal). Errors look like
 * client-node's, so `call` in index.ts words them the same way: an HTTP error carries its numeric
 * `code` and `body`; no answer is an error isNoAnswer recognises (retried for lists).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { callSignal } from '../call-scope.js';
import { CALL_TIMEOUT_MS, keepAliveAgent } from './bounded.js';

/** Items per page: kubectl's default chunk size. */
export const PAGE_SIZE = 500;

/** One GET of a path (with its query), answered with the parsed JSON body. */
export type JsonGet = (pathAndQuery: string) => Promise<unknown>;

/** GETs against kc's current cluster, authenticated as client-node would. */
export function jsonGetter(kc: KubeConfig): JsonGet {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('No active cluster!');
  return async (pathAndQuery) => {
    // appended, not resolved: a server URL may carry a path of its own (a proxy's /k8s/clusters/<id>)
    const url = new URL(`${server.replace(/\/+$/, '')}${pathAndQuery}`);
    const opts: RequestOptions = { method: 'GET', headers: { accept: 'application/json' } };
    await kc.applyToHTTPSOptions(opts);
    const { agent, ...rest } = opts;
    // https: a plain https.Agent (not a proxy's) swapped for the shared keep-alive one with the same
    // TLS options; plain http (a local insecure port) takes node's default agent
    const viaAgent = url.protocol === 'https:' ? (keepAliveAgent(agent) ?? agent) : undefined;
    const basic = rest.auth ? { authorization: `Basic ${Buffer.from(rest.auth).toString('base64')}` } : {};
    return get(url, { ...rest, auth: undefined, headers: { ...rest.headers, ...basic }, agent: viaAgent }, callSignal(CALL_TIMEOUT_MS));
  };
}

function get(url: URL, opts: RequestOptions, signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(url, { ...opts, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) {
          // shaped like client-node's ApiException: index.ts's `call` reads code, body and headers
          reject(Object.assign(new Error(`HTTP ${status}`), { code: status, body: text, headers: res.headers }));
          return;
        }
        try {
          resolve(JSON.parse(text));
        } catch (e) {
          reject(new Error(`GET ${url.pathname}: the answer is not JSON (${(e as Error).message})`));
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

interface ListPage {
  items?: unknown[];
  metadata?: { continue?: string; resourceVersion?: string };
}

/**
 * Every item of a list, mapped page by page. `page` runs one GET (through the caller's throttled,
 * bounded `call`). A continue token that expired mid-list (410) is the caller's to see: a list
 * that changed under a long read is not silently stitched together.
 */
export async function listAll<T>(page: (pathAndQuery: string) => Promise<unknown>, path: string, query: Record<string, string | undefined>, map: (item: unknown) => T, pageSize = PAGE_SIZE): Promise<T[]> {
  return (await listAllAt(page, path, query, map, pageSize)).items;
}

/**
 * listAll, with the resourceVersion the list was read at (the pages of one list are one snapshot:
 * the last page says its version), for a watch to start from.
 */
export async function listAllAt<T>(page: (pathAndQuery: string) => Promise<unknown>, path: string, query: Record<string, string | undefined>, map: (item: unknown) => T, pageSize = PAGE_SIZE): Promise<{ items: T[]; resourceVersion: string }> {
  const out: T[] = [];
  let token: string | undefined;
  let resourceVersion = '';
  do {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, v);
    params.set('limit', String(pageSize));
    if (token) params.set('continue', token);
    const answer = (await page(`${path}?${params.toString()}`)) as ListPage;
    for (const item of answer.items ?? []) out.push(map(item));
    token = answer.metadata?.continue || undefined;
    resourceVersion = answer.metadata?.resourceVersion ?? resourceVersion;
  } while (token);
  return { items: out, resourceVersion };
}
