/** One request a sink sent. */
export interface SentRequest {
  method: string;
  url: string;
  body: string;
}

/**
 * A `fetch` that records every request and answers like Slack, Teams, Jira, ServiceNow and a webhook
 * receiver would for a first delivery (nothing found, one thing created), so tests can read exactly
 * what each sink puts on the wire.
 */
export function fakeHttp(): { fetch: typeof globalThis.fetch; requests: SentRequest[] } {
  const requests: SentRequest[] = [];
  let created = 0;
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const body = request.body ? await request.text() : "";
    const url = new URL(request.url);
    requests.push({ method: request.method, url: request.url, body });
    const json = (value: unknown, status = 200) =>
      new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });
    const path = url.pathname;
    if (path.endsWith("/users.lookupByEmail")) return json({ ok: false, error: "users_not_found" });
    if (path.endsWith("/conversations.open")) return json({ ok: true, channel: { id: "D1" } });
    if (path.endsWith("/chat.postMessage")) return json({ ok: true, channel: "C1", ts: `1.${++created}` });
    if (path.includes("/api/now/table/")) {
      if (request.method === "POST")
        return json({ result: { sys_id: `sys${++created}`, number: `INC${created}`, state: "1" } }, 201);
      if (request.method === "PATCH") return json({ result: { sys_id: "sys1", state: "1" } });
      return json({ result: [] });
    }
    if (path.endsWith("/rest/api/3/issue") && request.method === "POST") {
      created++;
      return json({ id: `${10_000 + created}`, key: `SEC-${created}`, self: `${url.origin}/issue/${created}` }, 201);
    }
    if (path.includes("/rest/api/3/user/search")) return json([]);
    if (path.includes("/rest/api/3/")) return json({ issues: [], isLast: true });
    if (path.startsWith("/teams")) return new Response(null, { status: 202 });
    return json({ id: `hook-${++created}` });
  };
  return { fetch, requests };
}
