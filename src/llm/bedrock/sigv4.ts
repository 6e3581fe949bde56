import { AwsV4Signer } from "aws4fetch";

/** AWS credentials for SigV4 signing. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Present for temporary credentials (STS, SSO, instance roles). */
  sessionToken?: string;
}

/** Settings of {@link signingFetch}. */
export interface SigningFetchSettings {
  /** The SigV4 service name, e.g. `bedrock`. */
  service: string;
  /** The region the endpoint lives in. */
  region: () => string;
  /** The credentials to sign with; `undefined` sends the request unsigned (bearer-token auth). */
  credentials: () => AwsCredentials | undefined;
  /** The fetch that sends the signed request. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** The signing time as `YYYYMMDDTHHMMSSZ`; only for test vectors. @default now */
  datetime?: string;
}

/**
 * A fetch that signs every request with AWS Signature Version 4 (aws4fetch's `AwsV4Signer`), so
 * each retry gets a fresh signature and date. The canonical path is double-encoded, as AWS expects
 * for every service but S3 (`%3A` in a Bedrock model id becomes `%253A` in the canonical request).
 */
export function signingFetch(settings: SigningFetchSettings): typeof globalThis.fetch {
  const send = settings.fetch ?? ((input, init) => globalThis.fetch(input, init));
  return async (input, init) => {
    const request = new Request(input, init);
    const credentials = settings.credentials();
    if (!credentials) return send(request);
    const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.text();
    const signer = new AwsV4Signer({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body,
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      service: settings.service,
      region: settings.region(),
      datetime: settings.datetime,
    });
    const signed = await signer.sign();
    return send(signed.url.toString(), {
      method: signed.method,
      headers: signed.headers,
      body: signed.body,
      signal: request.signal,
    });
  };
}
