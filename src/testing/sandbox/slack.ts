import { sha256Hex } from "../../core/fingerprint.js";
import type { SlackOptions } from "../../sinks/slack/slack.js";
import type { Estate } from "../estate.js";
import type { Emulation, SandboxFaults } from "./emulation.js";
import { createFaults, type Faults, jsonResponse } from "./faults.js";

/** What `startSandbox()` exposes as `sandbox.slack`: the options `slack()` takes. */
export type SlackSandboxOptions = Required<Pick<SlackOptions, "token" | "apiUrl" | "channel">>;

/** Options of {@link slackEmulation}. */
export interface SlackEmulationOptions {
  /** The bot token the emulation accepts. @default "xoxb-sandbox-token" */
  token?: string;
  /** Channels that exist, by name. @default { security: "C0SECURITY", "cloud-alerts": "C0ALERTS" } */
  channels?: Record<string, string>;
  /** Users `users.lookupByEmail` finds (any `*@example.com` address also resolves). */
  users?: { id: string; email: string }[];
  /** The sandbox estate: its owners become users and its teams' channels exist. */
  estate?: Estate;
  /** Messages one channel accepts in a burst before answering 429 (then one per second). @default 10 */
  channelBurst?: number;
  /** The incoming-webhook path below the prefix. @default "/services/T0SANDBOX/B0SANDBOX/sandboxwebhooksecret" */
  webhookPath?: string;
  /** Fault configuration, or the sandbox's fault machinery for this emulation. */
  faults?: SandboxFaults | Faults;
}

/** A posted message, as the emulation keeps it. */
export interface EmulatedSlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  thread_ts?: string;
  /** `api` for chat.postMessage, `webhook` for the incoming webhook. */
  via: "api" | "webhook";
}

/** The Slack emulation, with inspection helpers for tests. */
export interface SlackEmulation extends Emulation<SlackSandboxOptions> {
  readonly faults: Faults;
  /** Every message posted so far, replies included, in order. */
  messages(): EmulatedSlackMessage[];
  /** The full URL of the incoming webhook, given the prefix's URL. */
  webhookUrl(baseUrl: string): string;
}

const blockTypes = new Set([
  "header",
  "section",
  "context",
  "actions",
  "divider",
  "image",
  "rich_text",
  "input",
]);

/**
 * A stateful emulation of the Slack Web API subset cloudsteward uses (`chat.postMessage`,
 * `users.lookupByEmail`, `conversations.open`, `auth.test`) and of an incoming webhook: HTTP 200
 * with `ok: false` for API errors, Block Kit limits, and about one message per second per channel
 * (429 with Retry-After beyond a burst).
 * @example
 * const emulation = slackEmulation();
 * const sink = slack({ ...emulation.options("http://127.0.0.1:4010/slack"), fetch });
 */
export function slackEmulation(options: SlackEmulationOptions = {}): SlackEmulation {
  const token = options.token ?? "xoxb-sandbox-token";
  const channels = {
    ...(options.channels ?? { security: "C0SECURITY", "cloud-alerts": "C0ALERTS" }),
    ...Object.fromEntries(
      (options.estate?.teams ?? []).map((team) => [
        team.slackChannel.replace(/^#/, ""),
        channelId(team.slackChannel),
      ]),
    ),
  };
  const users = [
    ...(options.users ?? []),
    ...(options.estate?.owners ?? []).map((owner) => ({ id: owner.slackUserId, email: owner.email })),
  ];
  const channelIds = new Set(Object.values(channels));
  const webhookPath = options.webhookPath ?? "/services/T0SANDBOX/B0SANDBOX/sandboxwebhooksecret";
  const faults = options.faults && "before" in options.faults ? options.faults : createFaults(options.faults);
  const burst = options.channelBurst ?? 10;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const messages: EmulatedSlackMessage[] = [];
  let clock = 1_724_142_000_000;

  const userFor = (email: string) => {
    const known = users.find((user) => user.email.toLowerCase() === email.toLowerCase());
    if (known) return known.id;
    if (!/^[^@\s]+@example\.com$/i.test(email)) return undefined;
    return `U${sha256Hex(email.toLowerCase()).slice(0, 9).toUpperCase()}`;
  };
  const resolveChannel = (value: string) => {
    const name = value.replace(/^#/, "");
    if (channels[name]) return channels[name];
    if (channelIds.has(value) || /^U[A-Z0-9]+$/.test(value))
      return value.startsWith("U") ? `D${value.slice(1)}` : value;
    return undefined;
  };
  /** Per-channel token bucket: `burst` messages, refilled at one per second. */
  const throttled = (channel: string) => {
    const now = Date.now();
    const bucket = buckets.get(channel) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.at) / 1000);
    bucket.at = now;
    buckets.set(channel, bucket);
    if (bucket.tokens < 1) return true;
    bucket.tokens -= 1;
    return false;
  };
  const store = (channel: string, body: Record<string, unknown>, via: EmulatedSlackMessage["via"]) => {
    const message: EmulatedSlackMessage = {
      channel,
      ts: `${Math.floor(clock / 1000)}.${String(clock++ % 1_000_000).padStart(6, "0")}`,
      text: String(body.text ?? ""),
      blocks: Array.isArray(body.blocks) ? body.blocks : [],
      ...(typeof body.thread_ts === "string" ? { thread_ts: body.thread_ts } : {}),
      via,
    };
    messages.push(message);
    return message;
  };

  async function api(method: string, request: Request): Promise<Response> {
    const body = await readBody(request);
    const header = request.headers.get("authorization");
    const presented = header?.startsWith("Bearer ")
      ? header.slice(7)
      : typeof body.token === "string"
        ? body.token
        : undefined;
    if (!presented) return ok(false, { error: "not_authed" });
    if (presented !== token) return ok(false, { error: "invalid_auth" });
    if (method === "auth.test")
      return ok(true, { team: "sandbox", user: "cloudsteward", bot_id: "B0SANDBOX" });
    if (method === "users.lookupByEmail") {
      const email = String(body.email ?? "");
      const id = email ? userFor(email) : undefined;
      return id ? ok(true, { user: { id, profile: { email } } }) : ok(false, { error: "users_not_found" });
    }
    if (method === "conversations.open") {
      const users = String(body.users ?? "")
        .split(",")
        .filter(Boolean);
      if (users.length !== 1 || !/^U[A-Z0-9]+$/.test(users[0]!))
        return ok(false, { error: "user_not_found" });
      return ok(true, { channel: { id: `D${users[0]!.slice(1)}` } });
    }
    if (method === "chat.postMessage") {
      const channel = resolveChannel(String(body.channel ?? ""));
      if (!channel && !String(body.channel ?? "").startsWith("D"))
        return ok(false, { error: "channel_not_found" });
      const target = channel ?? String(body.channel);
      const invalid = validateMessage(body);
      if (invalid) return ok(false, invalid);
      if (throttled(target))
        return jsonResponse(429, { ok: false, error: "ratelimited" }, { "retry-after": "1" });
      const message = store(target, body, "api");
      return ok(true, { channel: target, ts: message.ts, message: { text: message.text, ts: message.ts } });
    }
    return ok(false, { error: "unknown_method" });
  }

  return {
    name: "slack",
    faults,
    async handle(request, path) {
      const fault = await faults.before(request);
      if (fault) return fault;
      if (path === webhookPath && request.method === "POST") {
        const body = await readBody(request);
        const invalid = validateMessage(body);
        if (invalid)
          return new Response(invalid.error, { status: 400, headers: { "content-type": "text/plain" } });
        const channel = Object.values(channels)[0] ?? "C0SECURITY";
        if (throttled(channel))
          return new Response("rate_limited", { status: 429, headers: { "retry-after": "1" } });
        store(channel, body, "webhook");
        return new Response("ok", { status: 200, headers: { "content-type": "text/plain" } });
      }
      const match = /^\/api\/([a-zA-Z.]+)$/.exec(path);
      if (!match)
        return new Response("invalid_url", { status: 404, headers: { "content-type": "text/plain" } });
      return api(match[1]!, request);
    },
    options: (baseUrl) => ({
      token,
      apiUrl: `${baseUrl}/api`,
      channel: Object.values(channels)[0] ?? "C0SECURITY",
    }),
    messages: () => messages.map((message) => structuredClone(message)),
    webhookUrl: (baseUrl) => `${baseUrl}${webhookPath}`,
  };
}

/** A stable channel id for a channel name. */
function channelId(name: string): string {
  return `C${sha256Hex(name).slice(0, 9).toUpperCase()}`;
}

/** The Block Kit limits Slack enforces that cloudsteward could break. */
function validateMessage(
  body: Record<string, unknown>,
): { error: string; response_metadata?: unknown } | undefined {
  const blocks = body.blocks;
  const text = typeof body.text === "string" ? body.text : "";
  if (!text && !(Array.isArray(blocks) && blocks.length > 0)) return { error: "no_text" };
  if (text.length > 40_000) return { error: "msg_too_long" };
  if (blocks === undefined) return undefined;
  const problems: string[] = [];
  if (!Array.isArray(blocks)) problems.push("blocks must be an array");
  else {
    if (blocks.length > 50) problems.push("no more than 50 items allowed [json-pointer:/blocks]");
    blocks.forEach((block: Record<string, unknown>, index) => {
      if (!blockTypes.has(String(block?.type)))
        problems.push(`unsupported type [json-pointer:/blocks/${index}/type]`);
      const blockText = (block?.text as { text?: unknown } | undefined)?.text;
      const limit = block?.type === "header" ? 150 : 3000;
      if (typeof blockText === "string" && (blockText.length > limit || blockText.length === 0)) {
        problems.push(`must be between 1 and ${limit} characters [json-pointer:/blocks/${index}/text]`);
      }
      if (Array.isArray(block?.fields) && block.fields.length > 10) {
        problems.push(`no more than 10 items allowed [json-pointer:/blocks/${index}/fields]`);
      }
      if (Array.isArray(block?.elements) && block.elements.length > 25) {
        problems.push(`no more than 25 items allowed [json-pointer:/blocks/${index}/elements]`);
      }
    });
  }
  return problems.length > 0
    ? { error: "invalid_blocks", response_metadata: { messages: problems } }
    : undefined;
}

function ok(success: boolean, body: Record<string, unknown>): Response {
  return jsonResponse(200, { ok: success, ...body });
}

async function readBody(request: Request): Promise<Record<string, unknown>> {
  const url = new URL(request.url);
  const query = Object.fromEntries(url.searchParams);
  if (request.method === "GET") return query;
  const text = await request.text();
  if ((request.headers.get("content-type") ?? "").includes("json")) {
    try {
      return { ...query, ...(JSON.parse(text) as Record<string, unknown>) };
    } catch {
      return { ...query, invalid: true };
    }
  }
  return { ...query, ...Object.fromEntries(new URLSearchParams(text)) };
}
