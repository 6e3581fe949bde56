import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Options of {@link serveNode}. */
export interface ServeNodeOptions {
  /** @default 8787 */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /**
   * Largest accepted body, in bytes; larger requests get 413. The rest of such a body is read and
   * dropped (up to four times this limit) so a kept-alive connection stays usable; past that the
   * 413 closes the connection. @default 5_000_000
   */
  maxBodyBytes?: number;
}

/** A running Node HTTP server. */
export interface NodeServer {
  /** e.g. `http://127.0.0.1:8787`. */
  url: string;
  server: Server;
  /** Stops accepting connections and drops idle ones. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Serves a Fetch-API handler (`(request: Request) => Promise<Response>`, e.g. `createWebhookHandler`)
 * on Node's `http` module, converting each request and response.
 * @example
 * const server = await serveNode(createWebhookHandler(options), { port: 8787 });
 */
export async function serveNode(
  handler: (request: Request) => Promise<Response>,
  options: ServeNodeOptions = {},
): Promise<NodeServer> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer(nodeListener(handler, options));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8787, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    server,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}

/**
 * A `node:http` request listener that runs a Fetch-API handler: the Node request becomes a
 * `Request` (method, URL, headers, body), the `Response` is written back. Express can mount it too:
 * `app.use("/webhooks", nodeListener(handler))` (without a body parser before it: signatures need the raw body).
 */
export function nodeListener(
  handler: (request: Request) => Promise<Response>,
  options: Pick<ServeNodeOptions, "maxBodyBytes"> = {},
): (incoming: IncomingMessage, outgoing: ServerResponse) => void {
  const limit = options.maxBodyBytes ?? 5_000_000;
  return (incoming, outgoing) => {
    void (async () => {
      try {
        const chunks: Buffer[] = [];
        let size = 0;
        const declared = Number(incoming.headers["content-length"] ?? Number.NaN);
        // Past `limit` the body is drained, not kept: answering before the client finished sending
        // would make the socket close with unread data, which resets the kept-alive connection.
        const drainable = !(declared > limit * 4);
        for await (const chunk of incoming) {
          size += (chunk as Buffer).length;
          if (size > limit) {
            chunks.length = 0;
            if (drainable && size <= limit * 4) continue;
            break;
          }
          chunks.push(chunk as Buffer);
        }
        if (size > limit) {
          const close = !incoming.complete;
          outgoing.writeHead(413, {
            "content-type": "application/json",
            ...(close ? { connection: "close" } : {}),
          });
          outgoing.end(JSON.stringify({ error: `Request body larger than ${limit} bytes.` }));
          return;
        }
        const headers = new Headers();
        for (const [key, value] of Object.entries(incoming.headers)) {
          if (value === undefined) continue;
          for (const item of Array.isArray(value) ? value : [value]) headers.append(key, item);
        }
        const method = incoming.method ?? "GET";
        const hasBody = method !== "GET" && method !== "HEAD" && chunks.length > 0;
        // Express rewrites `url` under a mount path and keeps the full one in `originalUrl`.
        const path =
          (incoming as IncomingMessage & { originalUrl?: string }).originalUrl ?? incoming.url ?? "/";
        const request = new Request(new URL(path, `http://${incoming.headers.host ?? "localhost"}`), {
          method,
          headers,
          ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
        });
        const response = await handler(request);
        const responseHeaders: Record<string, string> = {};
        response.headers.forEach((value, key) => {
          responseHeaders[key] = value;
        });
        outgoing.writeHead(response.status, responseHeaders);
        outgoing.end(Buffer.from(await response.arrayBuffer()));
      } catch {
        if (!outgoing.headersSent) outgoing.writeHead(500, { "content-type": "application/json" });
        outgoing.end(JSON.stringify({ error: "Internal error." }));
      }
    })();
  };
}
