import { describe, expect, it } from "vitest";
import { signingFetch } from "../../src/llm/bedrock/sigv4.js";

// AWS Signature Version 4 test suite (docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html):
// credentials AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, us-east-1, service "service", 20150830T123600Z.
const vector = {
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};

function capture() {
  const seen: { url: string; headers: Headers; body?: string }[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    seen.push({ url: request.url, headers: request.headers, body: await request.text() });
    return new Response("{}");
  };
  return { seen, fetch };
}

describe("signingFetch (SigV4)", () => {
  const sign = (fetch: typeof globalThis.fetch, sessionToken?: string) =>
    signingFetch({
      service: "service",
      region: () => "us-east-1",
      credentials: () => ({ ...vector, sessionToken }),
      fetch,
      datetime: "20150830T123600Z",
    });

  it("reproduces the published get-vanilla signature", async () => {
    const { seen, fetch } = capture();
    await sign(fetch)("https://example.amazonaws.com/");
    expect(seen[0]?.headers.get("authorization")).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    );
    expect(seen[0]?.headers.get("x-amz-date")).toBe("20150830T123600Z");
  });

  it("reproduces the published post-vanilla signature", async () => {
    const { seen, fetch } = capture();
    await sign(fetch)("https://example.amazonaws.com/", { method: "POST" });
    expect(seen[0]?.headers.get("authorization")).toContain(
      "Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
    );
  });

  it("signs the session token and keeps the body", async () => {
    const { seen, fetch } = capture();
    await sign(fetch, "session-token")("https://example.amazonaws.com/model/a%3Ab/converse", {
      method: "POST",
      body: '{"messages":[]}',
      headers: { "content-type": "application/json" },
    });
    expect(seen[0]?.headers.get("x-amz-security-token")).toBe("session-token");
    expect(seen[0]?.headers.get("authorization")).toContain(
      "SignedHeaders=host;x-amz-date;x-amz-security-token",
    );
    expect(seen[0]?.body).toBe('{"messages":[]}');
    expect(seen[0]?.url).toBe("https://example.amazonaws.com/model/a%3Ab/converse");
  });

  it("sends the request unsigned when there are no credentials", async () => {
    const { seen, fetch } = capture();
    await signingFetch({
      service: "bedrock",
      region: () => "us-east-1",
      credentials: () => undefined,
      fetch,
    })("https://example.amazonaws.com/", { headers: { authorization: "Bearer abc" } });
    expect(seen[0]?.headers.get("authorization")).toBe("Bearer abc");
  });
});
