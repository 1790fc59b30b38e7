/**
 * Every item of a paginated AWS read, through the SDK's own paginators. The whole walk is one
 * retried call: a page that fails with a retryable error starts the walk again from the first page
 * (reads only, so nothing is done twice), and each page's call stays bounded by the client.
 */
export async function allPages<P, T>(pages: AsyncIterable<P>, items: (page: P) => readonly T[] | undefined): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(...(items(page) ?? []));
  return out;
}
