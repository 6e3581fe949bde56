import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { describe, expect, it } from "vitest";
import { isCloudstewardError } from "../../../src/core/errors.js";
import { type EmailMessage, email } from "../../../src/sinks/email/index.js";
import { makeAction, makeCase, makeFinding } from "../../../src/testing/factories.js";
import { type SinkFault, type SinkTarget, testSink } from "../../../src/testing/vitest/sink-suite.js";

const password = "smtp-password-for-tests";

/** A local SMTP server on 127.0.0.1 that requires auth and keeps every accepted message. */
async function smtpTarget(): Promise<SinkTarget & { messages: string[] }> {
  const messages: string[] = [];
  let next: SinkFault | undefined;
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (next === "unauthorized" || auth.username !== "mailer" || auth.password !== password) {
        next = undefined;
        callback(new Error("Invalid username or password"));
        return;
      }
      callback(null, { user: auth.username });
    },
    onData(stream, _session, callback) {
      let raw = "";
      stream.on("data", (chunk: Buffer) => {
        raw += chunk.toString("utf8");
      });
      stream.on("end", () => {
        const fault = next;
        next = undefined;
        if (fault === "rate-limit" || fault === "bad-request") {
          const error = Object.assign(
            new Error(fault === "rate-limit" ? "Mailbox busy, try later" : "Message rejected"),
            {
              responseCode: fault === "rate-limit" ? 450 : 554,
            },
          );
          callback(error);
          return;
        }
        messages.push(raw);
        callback(null);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    baseUrl: `smtp://127.0.0.1:${port}`,
    messages,
    count: () => messages.length,
    failNext: (fault) => {
      next = fault;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const smtpFor = (baseUrl: string) => {
  const url = new URL(baseUrl);
  return {
    host: url.hostname,
    port: Number(url.port),
    secure: false,
    auth: { user: "mailer", pass: password },
  };
};

testSink({
  name: "email",
  target: smtpTarget,
  create: ({ baseUrl, store }) =>
    email({ smtp: smtpFor(baseUrl), from: "cloudsec@example.com", to: "owners@example.com", store }),
  secrets: [password],
});

describe("email", () => {
  it("sends HTML and text parts to the owner with a deterministic Message-ID, and replies in thread on change", async () => {
    const target = await smtpTarget();
    const sink = email({ smtp: smtpFor(target.baseUrl), from: "cloudsec@example.com" });
    try {
      const key = "mail-thread";
      const item = makeCase({
        findings: [makeFinding({ id: "m1", title: "Bucket <script>alert(1)</script>" })],
        context: { owner: { value: "bob@example.com", source: "tag:owner" } },
      });
      const delivery = await sink.deliver(makeAction({ case: item, idempotencyKey: key }));
      expect(delivery.ref?.id).toBe("<cs-mail-thread@cloudsteward.local>");
      const [first] = target.messages;
      expect(first).toContain("To: bob@example.com");
      expect(first).toContain("Content-Type: text/plain");
      expect(first).toContain("Content-Type: text/html");
      expect(first).toContain("Message-ID: <cs-mail-thread@cloudsteward.local>");
      expect(first).toContain("&lt;script&gt;");

      const resolved = makeCase({ ...item, findings: [makeFinding({ id: "m1", status: "resolved" })] });
      expect((await sink.deliver(makeAction({ case: resolved, idempotencyKey: key }))).status).toBe(
        "updated",
      );
      expect(target.messages[1]).toContain("In-Reply-To: <cs-mail-thread@cloudsteward.local>");
      expect(target.messages[1]).toContain("Subject: Re:");
    } finally {
      await sink.close();
      await target.close?.();
    }
  });

  it("announces a summary to `to` with escaped text and HTML parts and the report link", async () => {
    const target = await smtpTarget();
    const sink = email({
      smtp: smtpFor(target.baseUrl),
      from: "cloudsec@example.com",
      to: "ciso@example.com",
    });
    try {
      await sink.announce({
        title: "Security brief 2026-11-30 to 2026-12-07",
        text: "3 new <b>critical</b> findings.",
        link: "https://reports.example.com/brief",
      });
      const [message] = target.messages;
      expect(message).toContain("To: ciso@example.com");
      expect(message).toContain("Subject: Security brief 2026-11-30 to 2026-12-07");
      expect(message).toContain("Content-Type: text/plain");
      expect(message).toContain("Content-Type: text/html");
      expect(message).toContain("&lt;b&gt;critical&lt;/b&gt;");
      expect(message).toContain('<a href="https://reports.example.com/brief">');
      expect(message).toContain("Full report: https://reports.example.com/brief");
      expect(message).not.toContain(password);
    } finally {
      await sink.close();
      await target.close?.();
    }
  });

  it("refuses to announce without `to`", async () => {
    const sink = email({ transport: { sendMail: async () => undefined }, from: "cloudsec@example.com" });
    await expect(sink.announce({ title: "t", text: "x" })).rejects.toThrow(/no recipient to announce to/);
  });

  it("uses a caller's transport and leaves it open on close()", async () => {
    const sent: EmailMessage[] = [];
    let closed = false;
    const sink = email({
      transport: {
        sendMail: async (message) => {
          sent.push(message);
        },
        close: () => {
          closed = true;
        },
      },
      from: "cloudsec@example.com",
      to: ["a@example.com", "b@example.com"],
    });
    await sink.deliver(makeAction());
    await sink.close();
    expect(sent[0]?.to).toEqual(["a@example.com", "b@example.com"]);
    expect(sent[0]?.html).toContain("<table");
    expect(closed).toBe(false);
  });

  it("says how to configure it when no transport or SMTP settings are given", async () => {
    const error = await email({ from: "cloudsec@example.com", to: "x@example.com" })
      .deliver(makeAction())
      .catch((failure: unknown) => failure);
    expect(isCloudstewardError((error as Error).cause, "CONFIGURATION")).toBe(true);
    expect(((error as Error).cause as Error).message).toContain("smtp: { host, port, secure, auth }");
  });
});
