import { describe, expect, it } from "vitest";
import {
  createRedactor,
  headerSecrets,
  redact,
  redactUrl,
  redactValues,
  shannonEntropy,
} from "../../src/core/redact.js";
import { negatives, positives } from "./__fixtures__/redaction-corpus.js";

describe("redaction corpus", () => {
  it("has at least 40 positive and 40 negative cases", () => {
    expect(positives.length).toBeGreaterThanOrEqual(40);
    expect(negatives.length).toBeGreaterThanOrEqual(40);
  });

  it.each(positives)("masks $name", ({ text, secrets, kind }) => {
    const output = redact(text);
    for (const secret of secrets) expect(output).not.toContain(secret);
    expect(output).toContain(`[REDACTED:${kind}]`);
  });

  it.each(negatives)("leaves %j unchanged", (text) => {
    expect(redact(text)).toBe(text);
  });

  it("is idempotent on every positive case", () => {
    for (const { text } of positives) {
      const once = redact(text);
      expect(redact(once)).toBe(once);
    }
  });
});

describe("redact", () => {
  it("keeps the surrounding text of a masked secret", () => {
    expect(redact("db password=hunter2 set in user data")).toBe(
      "db password=[REDACTED:password] set in user data",
    );
    expect(redact("postgres://app:pw1@db:5432/app")).toBe("postgres://app:[REDACTED:password]@db:5432/app");
    expect(redact("postgres://app:p@ss@db/app and bob@example.com")).toBe(
      "postgres://app:[REDACTED:password]@db/app and bob@example.com",
    );
    expect(redact('{"client_secret":"abc123"}')).toBe('{"client_secret":"[REDACTED:secret]"}');
  });

  it("masks values under secret keys entirely, at any depth, and returns a copy", () => {
    const input = {
      user: "ci",
      password: "hunter2",
      headers: { Authorization: "Bearer x", Cookie: "a=b", "x-api-key": "k" },
      auth: { apiKey: "k1", privateKey: "pk", client_secret: "cs", sessionToken: "st" },
      nested: [{ secret: { value: "inner", list: ["a", "b"] } }],
      note: "found AKIAQ7ZL4UI6D39ZZZG4",
    };
    const output = redact(input);
    expect(output).toEqual({
      user: "ci",
      password: "[REDACTED:password]",
      headers: {
        Authorization: "[REDACTED:authorization]",
        Cookie: "[REDACTED:cookie]",
        "x-api-key": "[REDACTED:api_key]",
      },
      auth: {
        apiKey: "[REDACTED:api_key]",
        privateKey: "[REDACTED:private_key]",
        client_secret: "[REDACTED:secret]",
        sessionToken: "[REDACTED:token]",
      },
      nested: [{ secret: { value: "[REDACTED:secret]", list: ["[REDACTED:secret]", "[REDACTED:secret]"] } }],
      note: "found [REDACTED:aws_access_key_id]",
    });
    expect(input.password).toBe("hunter2");
    expect(output).not.toBe(input);
  });

  it("leaves numbers, booleans and metadata keys about secrets alone", () => {
    const input = {
      usage: { inputTokens: 5, maxTokens: 9 },
      tokenType: "Bearer",
      passwordLastUsed: "2024-01-01T00:00:00Z",
      secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf",
      passwordEnabled: true,
      password: "",
    };
    expect(redact(input)).toEqual(input);
  });

  it("masks extra keys given in options", () => {
    expect(redact({ "X-Wiz-Session": "abc", other: "abc" }, { keys: ["x-wiz-session"] })).toEqual({
      "X-Wiz-Session": "[REDACTED:secret]",
      other: "abc",
    });
  });

  it("walks Maps and Sets, survives cycles and returns other objects as they are", () => {
    const date = new Date(0);
    const cyclic: Record<string, unknown> = { token: "t0k3n", date };
    cyclic.self = cyclic;
    const output = redact(cyclic);
    expect(output.token).toBe("[REDACTED:token]");
    expect(output.self).toBe(output);
    expect(output.date).toBe(date);
    const map = redact(
      new Map([
        ["password", "pw"],
        ["name", "ok"],
      ]),
    );
    expect([...map]).toEqual([
      ["password", "[REDACTED:password]"],
      ["name", "ok"],
    ]);
    const set = redact(new Set(["AKIAQ7ZL4UI6D39ZZZG4"]));
    expect([...set]).toEqual(["[REDACTED:aws_access_key_id]"]);
  });

  it("copies an own __proto__ key as data without touching the prototype", () => {
    const input = JSON.parse('{"__proto__": {"password": "pw", "polluted": "yes"}, "a": "b"}') as Record<
      string,
      unknown
    >;
    const output = redact(input);
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect((output as { polluted?: string }).polluted).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(output, "__proto__")?.value).toEqual({
      password: "[REDACTED:password]",
      polluted: "yes",
    });
  });

  it("passes non-string primitives through", () => {
    expect(redact(42)).toBe(42);
    expect(redact(null)).toBeNull();
    expect(redact(undefined)).toBeUndefined();
  });

  it("masks high-entropy tokens only when they mix cases, letters and digits", () => {
    const token = "nCkhvMdgaKjIg8xNbe3nNyjOq9wMxEhh2FDEEtfjgVvVqE1S";
    expect(redact(`id=${token.toLowerCase()} and ${token}`)).toBe(
      `id=${token.toLowerCase()} and [REDACTED:high_entropy]`,
    );
    expect(redact(["wiz:9cfcf23d-5277-41d8-a7c2-974021505084", token.toLowerCase()])).toEqual([
      "wiz:9cfcf23d-5277-41d8-a7c2-974021505084",
      token.toLowerCase(),
    ]);
  });

  it("can turn the entropy check off or make it stricter", () => {
    const token = "nCkhvMdgaKjIg8xNbe3nNyjOq9wMxEhh2FDEEtfjgVvVqE1S";
    expect(redact(token)).toBe("[REDACTED:high_entropy]");
    expect(redact(token, { entropy: false })).toBe(token);
    expect(redact(token, { entropy: { minLength: 64 } })).toBe(token);
    expect(redact(token, { entropy: { threshold: 6 } })).toBe(token);
  });

  it("computes Shannon entropy in bits per character", () => {
    expect(shannonEntropy("")).toBe(0);
    expect(shannonEntropy("aaaa")).toBe(0);
    expect(shannonEntropy("abcd")).toBe(2);
    expect(shannonEntropy("ab")).toBe(1);
  });
});

describe("redactUrl", () => {
  it("strips userinfo and masks secret query and fragment parameters", () => {
    expect(redactUrl("https://bot:pw@example.com/x?sig=abc&page=2")).toBe(
      "https://example.com/x?sig=[REDACTED:url_param]&page=2",
    );
    expect(redactUrl("https://token123@example.com/")).toBe("https://example.com/");
    expect(redactUrl("https://user:p@ss@example.com/x")).toBe("https://example.com/x");
    expect(redactUrl("https://x.io/cb?code=abc&state=1#access_token=zzz&x=1")).toBe(
      "https://x.io/cb?code=[REDACTED:url_param]&state=1#access_token=[REDACTED:url_param]&x=1",
    );
    expect(
      redactUrl(
        "https://h/p?token=1&key=2&signature=3&client_secret=4&X-Amz-Signature=5&api%5Fkey=6&limit=7",
      ),
    ).toBe(
      "https://h/p?token=[REDACTED:url_param]&key=[REDACTED:url_param]&signature=[REDACTED:url_param]&client_secret=[REDACTED:url_param]&X-Amz-Signature=[REDACTED:url_param]&api%5Fkey=[REDACTED:url_param]&limit=7",
    );
  });

  it("leaves ordinary URLs byte for byte", () => {
    for (const url of [
      "https://api.us20.app.wiz.io/graphql",
      "https://api.prismacloud.io/v2/alert?timeType=relative&timeAmount=24",
      "https://app.us.orcasecurity.io/api/alerts?limit=100&page=2",
      "https://acme.lacework.net/api/v2/Alerts/12345",
    ]) {
      expect(redactUrl(url)).toBe(url);
    }
  });

  it("masks tokens in the path and handles relative URLs", () => {
    expect(redactUrl("https://hooks.slack.com/services/T00000000/B00000000/R4y9ojfljoQoaF1LlqsajAIx")).toBe(
      "[REDACTED:slack_webhook]",
    );
    expect(redactUrl("/relative/path?token=abc")).toBe("/relative/path?token=[REDACTED:url_param]");
  });
});

describe("redactValues and headerSecrets", () => {
  it("masks known values, longest first, and skips short or missing ones", () => {
    expect(
      redactValues("id abc-secret-xyz and abc-secret", ["abc-secret", "abc-secret-xyz", undefined, "ab"]),
    ).toBe("id [REDACTED:secret] and [REDACTED:secret]");
    expect(redactValues("nothing here", [])).toBe("nothing here");
  });

  it("takes the credential headers' values and the bare token, and nothing else", () => {
    expect(
      headerSecrets({
        Authorization: "Bearer abcdefgh123",
        "x-redlock-auth": "jwt-value",
        "X-LW-UAKS": "uaks-secret",
        "x-custom-api-token": "custom-token",
        accept: "application/json",
        "x-request-id": "r-1",
      }),
    ).toEqual(["Bearer abcdefgh123", "abcdefgh123", "jwt-value", "uaks-secret", "custom-token"]);
  });
});

describe("createRedactor", () => {
  const text =
    "Owner alice@example.com from 10.0.0.1 and 2001:db8::1, account 123456789012 in arn:aws:iam::123456789012:role/x; /subscriptions/0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0/rg; projects/prod-123/zones; cc bob@example.com, alice@example.com at 12:30:45";

  it("replaces identifiers with stable per-redactor tokens and restores them", () => {
    const redactor = createRedactor({ pseudonymize: { emails: true, ips: true, accountIds: true } });
    const output = redactor.redact(text);
    expect(output).toBe(
      "Owner <email_1> from <ip_1> and <ip_2>, account <aws_account_1> in arn:aws:iam::<aws_account_1>:role/x; /subscriptions/<azure_subscription_1>/rg; projects/<gcp_project_1>/zones; cc <email_2>, <email_1> at 12:30:45",
    );
    expect(redactor.restore(output)).toBe(text);
    expect(redactor.restore(`Ask <email_2> about <aws_account_1>; <email_9> is unknown`)).toBe(
      "Ask bob@example.com about 123456789012; <email_9> is unknown",
    );
  });

  it("keeps tokens stable across calls and independent across redactors", () => {
    const first = createRedactor({ pseudonymize: { emails: true } });
    expect(first.redact("a@example.com")).toBe("<email_1>");
    expect(first.redact("b@example.com a@example.com")).toBe("<email_2> <email_1>");
    const second = createRedactor({ pseudonymize: { emails: true } });
    expect(second.redact("b@example.com")).toBe("<email_1>");
    expect(second.restore("<email_1>")).toBe("b@example.com");
  });

  it("uses keys to spot subscription and project ids in objects, and restores objects", () => {
    const redactor = createRedactor({ pseudonymize: { accountIds: true } });
    const input = {
      subscriptionId: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
      projectId: "my-proj-1",
      accountId: "123456789012",
    };
    const output = redactor.redact(input);
    expect(output).toEqual({
      subscriptionId: "<azure_subscription_1>",
      projectId: "<gcp_project_1>",
      accountId: "<aws_account_1>",
    });
    expect(redactor.restore(output)).toEqual(input);
  });

  it("pseudonymizes only what was asked, and always masks secrets irreversibly", () => {
    const redactor = createRedactor({ pseudonymize: { emails: true } });
    const output = redactor.redact("alice@example.com from 10.0.0.1 in 123456789012 with password=hunter2");
    expect(output).toBe("<email_1> from 10.0.0.1 in 123456789012 with password=[REDACTED:password]");
    expect(redactor.restore(output)).not.toContain("hunter2");
  });

  it("leaves unrelated GUIDs, times and version numbers alone", () => {
    const redactor = createRedactor({ pseudonymize: { emails: true, ips: true, accountIds: true } });
    const input =
      "issue 8a4e2b1c-0d3f-4e5a-9b6c-7d8e9f0a1b2c at 12:30:45, version 2.14.3, epoch 1700000000000";
    expect(redactor.redact(input)).toBe(input);
  });
});
