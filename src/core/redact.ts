/**
 * Redaction of secrets before data leaves the process (model prompts, errors, events, logs), and
 * reversible pseudonymization of personal and account identifiers.
 *
 * Decisions: hex-only strings (SHA/MD5 digests, commit ids, image digests) and UUIDs are never
 * flagged by the entropy check, because findings are full of them and they are not credentials; a
 * hex secret is still masked when it follows a secret label (`api_key=…`) or sits under a secret key.
 * Numbers and booleans under a secret key are left alone (`maxTokens`, `passwordEnabled`).
 */

import { memoize } from "./memo.js";

/** Options of {@link redact}. */
export interface RedactOptions {
  /** More object keys whose string values are masked entirely, compared case- and separator-insensitively. @default [] */
  keys?: readonly string[];
  /**
   * The check for unlabelled high-entropy tokens, or `false` to turn it off.
   * @default { threshold: 4, minLength: 32 }
   */
  entropy?: false | { threshold?: number; minLength?: number };
}

/**
 * Masks secrets in a string, or deeply in the strings of objects, arrays, Maps and Sets, returning
 * a copy (other objects, numbers and booleans are returned as they are). Each secret becomes
 * `[REDACTED:<kind>]`: AWS access keys and labelled secret keys, PEM private keys, JWTs, `Bearer`/
 * `Basic` credentials, URL and connection-string passwords, vendor keys by their prefixes (GitHub,
 * GitLab, Slack tokens and webhooks, Discord webhooks, Stripe, Google API and OAuth, OpenAI, Anthropic,
 * npm, PyPI, Hugging Face, SendGrid, Twilio, Mailgun, Shopify, Databricks, DigitalOcean, Atlassian,
 * Square, Vault, Terraform Cloud, Grafana, Sentry, Linear, New Relic, Doppler, Postman, age, Alibaba,
 * PlanetScale), Entra ID client secrets, Cookie headers, secret URL parameters, labelled secrets (`password=…`), values under secret keys
 * (`password`, `token`, `apiKey`, `authorization`, `cookie`, `privateKey`…) and unlabelled
 * high-entropy tokens.
 * @example
 * redact("Authorization: Bearer 8f2c0a9d…"); // "Authorization: [REDACTED:authorization]"
 * redact({ user: "ci", password: "hunter2" }); // { user: "ci", password: "[REDACTED:password]" }
 */
export function redact<T>(value: T, options: RedactOptions = {}): T {
  const settings = toSettings(options);
  const text =
    settings === defaultSettings ? redactDefaultText : (value: string) => redactText(value, settings);
  return walk(value, settings, undefined, new WeakMap(), text) as T;
}

/**
 * Removes the userinfo of a URL and masks secret-looking query and fragment parameters (`token`,
 * `key`, `sig`, `signature`, `code`, `client_secret`, `access_token`, `X-Amz-Signature`…), then
 * masks any secret left in it (a token in the path).
 * @example
 * redactUrl("https://bot:pw@example.com/x?sig=abc&page=2"); // "https://example.com/x?sig=[REDACTED:url_param]&page=2"
 */
export function redactUrl(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^/?#\s]*@)?([^?#]*)(\?[^#]*)?(#.*)?$/is.exec(url.trim());
  if (match === null) return redactText(url, defaultSettings);
  const [, scheme = "", rest = "", query = "", fragment = ""] = match;
  const cleaned = `${scheme}${rest}${maskParams(query)}${maskParams(fragment)}`;
  return redactText(cleaned, defaultSettings);
}

/**
 * Masks each of `values` (known secrets: a configured client secret, the token just sent) wherever it
 * appears in `text`, longest first, as `[REDACTED:secret]`. Values shorter than four characters and
 * `undefined` are skipped. For secrets no pattern can recognise, before or after {@link redact}.
 * @example
 * redactValues("bad secret s3cr3t-value", ["s3cr3t-value"]); // "bad secret [REDACTED:secret]"
 */
export function redactValues(text: string, values: Iterable<string | undefined>): string {
  const list = [...new Set(values)]
    .filter((value): value is string => value !== undefined && value.length >= 4)
    .sort((a, b) => b.length - a.length);
  let result = text;
  for (const value of list) if (result.includes(value)) result = result.split(value).join(mask("secret"));
  return result;
}

/**
 * The credentials in a set of request headers, as exact strings for {@link redactValues}: the value of
 * every credential header (Authorization, Cookie, API-key and vendor token headers such as
 * `x-redlock-auth` or `x-…-token`) and, from `<scheme> <credential>`, the credential alone.
 * @example
 * headerSecrets({ authorization: "Bearer abcdefgh123", accept: "application/json" }); // ["Bearer abcdefgh123", "abcdefgh123"]
 */
export function headerSecrets(headers: Readonly<Record<string, string>>): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!credentialHeaderPattern.test(name) || typeof value !== "string") continue;
    values.push(value);
    // Also the credential alone, e.g. the token in "Bearer <token>".
    const credential = value.split(/\s+/).pop();
    if (credential && credential !== value && credential.length >= 8) values.push(credential);
  }
  return values;
}

/** Which identifiers a {@link Redactor} replaces with reversible tokens. */
export interface PseudonymizeOptions {
  /** Email addresses become `<email_1>`, `<email_2>`… @default false */
  emails?: boolean;
  /** IPv4 and IPv6 addresses become `<ip_1>`… @default false */
  ips?: boolean;
  /**
   * AWS account ids (12 digits), Azure subscription ids (after `/subscriptions/` or a `subscription` label
   * or key) and GCP project ids (after `projects/` or a `project` label or key) become
   * `<aws_account_1>`, `<azure_subscription_1>`, `<gcp_project_1>`… @default false
   */
  accountIds?: boolean;
}

/** Options of {@link createRedactor}. */
export interface RedactorOptions extends RedactOptions {
  /** Identifiers to replace with reversible per-redactor tokens. @default {} (none) */
  pseudonymize?: PseudonymizeOptions;
}

/** A redactor with memory: the same identifier always gets the same token, and `restore` reverses them. */
export interface Redactor {
  /** Masks secrets (irreversibly) and replaces the configured identifiers with tokens. */
  redact<T>(value: T): T;
  /** Puts the original identifiers back in place of this redactor's tokens; secrets stay masked. */
  restore<T>(value: T): T;
}

/**
 * Creates a redactor whose pseudonym tokens are stable for its lifetime (one run), so a model sees
 * `<email_1>` instead of an address and the output can be restored before it reaches people.
 * @example
 * const redactor = createRedactor({ pseudonymize: { emails: true, accountIds: true } });
 * const prompt = redactor.redact(`Owner alice@example.com, account 123456789012`); // "Owner <email_1>, account <aws_account_1>"
 * const answer = redactor.restore(await explain(prompt));
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const settings = toSettings(options);
  const pseudonymize = options.pseudonymize ?? {};
  const tokens = new Map<string, string>();
  const originals = new Map<string, string>();
  const counters = new Map<string, number>();

  // Identifiers that ignore case (GUIDs, IPv6) share one token; `restore` gives back the first spelling.
  const tokenFor = (kind: string, original: string, caseless = false): string => {
    const key = `${kind}\u0000${caseless ? original.toLowerCase() : original}`;
    const existing = tokens.get(key);
    if (existing !== undefined) return existing;
    const count = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, count);
    const token = `<${kind}_${count}>`;
    tokens.set(key, token);
    originals.set(token, original);
    return token;
  };

  const pseudonymizeText = (text: string, key: string | undefined): string => {
    let result = text;
    if (pseudonymize.accountIds === true) {
      if (key !== undefined && isKeyOf(key, subscriptionKeys) && uuidPattern.test(result))
        return tokenFor("azure_subscription", result, true);
      if (key !== undefined && isKeyOf(key, projectKeys) && gcpProjectPattern.test(result))
        return tokenFor("gcp_project", result);
      result = result
        .replace(
          subscriptionPattern,
          (_match, label: string, id: string) => `${label}${tokenFor("azure_subscription", id, true)}`,
        )
        .replace(
          projectPattern,
          (_match, label: string, id: string) => `${label}${tokenFor("gcp_project", id)}`,
        )
        .replace(awsAccountPattern, (id) => tokenFor("aws_account", id));
    }
    if (pseudonymize.emails === true)
      result = result.replace(emailPattern, (email) => tokenFor("email", email));
    if (pseudonymize.ips === true) {
      result = result
        .replace(ipv4Pattern, (ip) => tokenFor("ip", ip))
        .replace(ipv6Pattern, (ip) => tokenFor("ip", ip, true));
    }
    return result;
  };

  return {
    redact: <T>(value: T): T =>
      walk(value, settings, undefined, new WeakMap(), (text, key) =>
        pseudonymizeText(redactText(text, settings), key),
      ) as T,
    restore: <T>(value: T): T =>
      walk(value, noMasking, undefined, new WeakMap(), (text) =>
        text.replace(/<[a-z_]+_\d+>/g, (token) => originals.get(token) ?? token),
      ) as T,
  };
}

/** Shannon entropy of `text` in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const probability = count / text.length;
    entropy -= probability * Math.log2(probability);
  }
  return entropy;
}

// Internal helpers.

interface Settings {
  extraKeys: Set<string>;
  entropy: { threshold: number; minLength: number; candidates: RegExp } | undefined;
  /** False for `restore`, which walks values without masking anything by key. */
  maskKeys: boolean;
}

const noMasking: Settings = { extraKeys: new Set(), entropy: undefined, maskKeys: false };

function toSettings(options: RedactOptions): Settings {
  if (options.keys === undefined && options.entropy === undefined) return defaultSettings;
  return {
    extraKeys: new Set((options.keys ?? []).map(normalizeKey)),
    entropy:
      options.entropy === false
        ? undefined
        : entropySettings(options.entropy?.threshold ?? 4, options.entropy?.minLength ?? 32),
    maskKeys: true,
  };
}

/** Token candidates are runs of base64/base64url characters at least `minLength` long. */
function entropySettings(threshold: number, minLength: number): Settings["entropy"] {
  const length = Math.max(1, Math.floor(minLength));
  return { threshold, minLength: length, candidates: new RegExp(`[A-Za-z0-9+/_=-]{${length},}`, "g") };
}

/** The settings of a call without options, built once (the candidate pattern is compiled once). */
const defaultSettings: Settings = {
  extraKeys: new Set(),
  entropy: entropySettings(4, 32),
  maskKeys: true,
};

/**
 * Copies `value`, applying `text` to every string. `key` is the nearest object key; under a secret
 * key every string is masked whole. Cycles map to the copy already being built.
 */
function walk(
  value: unknown,
  settings: Settings,
  key: string | undefined,
  seen: WeakMap<object, unknown>,
  text: (value: string, key: string | undefined) => string,
  maskedKind?: string,
): unknown {
  if (typeof value === "string") {
    if (maskedKind !== undefined && value !== "" && !value.startsWith("[REDACTED:"))
      return `[REDACTED:${maskedKind}]`;
    return text(value, key);
  }
  if (typeof value !== "object" || value === null) return value;
  const existing = seen.get(value);
  if (existing !== undefined) return existing;
  const childKind = (childKey: string) =>
    maskedKind ?? (settings.maskKeys ? secretKeyKind(childKey, settings) : undefined);
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(walk(item, settings, key, seen, text, maskedKind));
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map<unknown, unknown>();
    seen.set(value, copy);
    for (const [mapKey, item] of value) {
      const name = typeof mapKey === "string" ? mapKey : undefined;
      copy.set(
        mapKey,
        walk(item, settings, name ?? key, seen, text, name === undefined ? maskedKind : childKind(name)),
      );
    }
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set<unknown>();
    seen.set(value, copy);
    for (const item of value) copy.add(walk(item, settings, key, seen, text, maskedKind));
    return copy;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = prototype === null ? Object.create(null) : {};
  seen.set(value, copy);
  for (const [childKey, item] of Object.entries(value)) {
    const redacted = walk(item, settings, childKey, seen, text, childKind(childKey));
    // An own `__proto__` key (JSON.parse makes them) must stay data, never set the prototype.
    if (childKey === "__proto__") {
      Object.defineProperty(copy, childKey, {
        value: redacted,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      copy[childKey] = redacted;
    }
  }
  return copy;
}

/** Words that make an object key secret, and the mask kind each gives. */
const secretKeyWords: readonly [RegExp, string][] = [
  [/privatekey|sshkey|signingkey/, "private_key"],
  [/password|passwd|passphrase|pwd$/, "password"],
  [/secretaccesskey/, "aws_secret_key"],
  [/authorization/, "authorization"],
  [/cookie/, "cookie"],
  [/apikey|accesskey|subscriptionkey|accountkey|masterkey/, "api_key"],
  [/connectionstring|dsn$/, "connection_string"],
  [/credential/, "credential"],
  [/secret/, "secret"],
  [/token$|sastoken|tokenvalue/, "token"],
];

/** Last words of a key that describe a secret rather than hold it (`passwordLastUsed`, `tokenType`, `secretArn`). */
const metadataSuffixes = new Set([
  "name",
  "names",
  "id",
  "ids",
  "arn",
  "arns",
  "type",
  "types",
  "count",
  "length",
  "ref",
  "enabled",
  "required",
  "policy",
  "used",
  "date",
  "time",
  "at",
  "expiry",
  "expiration",
  "expires",
  "age",
  "rotated",
  "status",
  "version",
  "kind",
  "present",
  "exists",
  "path",
  "url",
  "uri",
  "label",
  "description",
  "field",
  "source",
  "format",
]);

function secretKeyKind(key: string, settings: Settings): string | undefined {
  if (settings.extraKeys.size > 0 && settings.extraKeys.has(normalizeKey(key))) return "secret";
  return cachedKeyKind(key);
}

/** Object keys repeat across records, so their classification is cached (bounded). */
const cachedKeyKind = memoize((key: string) => builtInKeyKind(key), 10_000);

function builtInKeyKind(key: string): string | undefined {
  const normalized = normalizeKey(key);
  const words = key.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? [];
  const last = words.at(-1)?.toLowerCase();
  if (last !== undefined && metadataSuffixes.has(last) && words.length > 1) return undefined;
  return secretKeyWords.find(([pattern]) => pattern.test(normalized))?.[1];
}

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, "");
}

const subscriptionKeys = new Set(["subscriptionid", "subscription", "azuresubscriptionid"]);
const projectKeys = new Set(["projectid", "project", "gcpprojectid", "gcpproject"]);

function isKeyOf(key: string, keys: Set<string>): boolean {
  return keys.has(normalizeKey(key));
}

/** One text rule: a pattern and how to mask a match. Rules run in order; masks are never re-masked. */
type TextRule = readonly [RegExp, (match: string, ...groups: string[]) => string];

const mask = (kind: string) => `[REDACTED:${kind}]`;

const authSchemes = "Bearer|Basic|Token|Digest|Negotiate|SSWS|Splunk";

const vendorKeys: readonly [RegExp, string][] = [
  [/\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}\b/g, "github_token"],
  [/\bgithub_pat_[A-Za-z0-9_]{22,255}\b/g, "github_token"],
  [/\bglpat-[A-Za-z0-9_-]{20,}\b/g, "gitlab_token"],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/g, "slack_token"],
  [/https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9/_-]+/g, "slack_webhook"],
  [/\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}\b/g, "stripe_key"],
  [/\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g, "google_api_key"],
  [/\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}/g, "api_key"],
  [/\bnpm_[A-Za-z0-9]{36}\b/g, "npm_token"],
  [/\bhf_[A-Za-z0-9]{34,}\b/g, "huggingface_token"],
  [/\bSG\.[\w-]{22}\.[\w-]{43}\b/g, "sendgrid_key"],
  // Entra ID (Azure AD) client secrets: three characters, a digit, then `Q~`.
  [/(?<![\w~.-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![\w~.-])/g, "azure_client_secret"],
  [/\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g, "aws_access_key_id"],
  // Prefixed vendor keys, many of them hex or lower-case only, which the entropy check never flags.
  [/\bxapp-\d-[A-Za-z0-9-]{10,}/g, "slack_token"],
  [/\bgl(?:dt|ptt|rt|cbt|soat|ft|agent)-[A-Za-z0-9_-]{20,}/g, "gitlab_token"],
  [/\bwhsec_[A-Za-z0-9+/=]{24,}/g, "stripe_key"],
  [/\bSK[0-9a-fA-F]{32}\b/g, "twilio_key"],
  [/\bkey-[0-9a-zA-Z]{32}\b/g, "mailgun_key"],
  [/\bshp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}\b/g, "shopify_token"],
  [/\bdapi[a-f0-9]{32}(?:-\d+)?\b/g, "databricks_token"],
  [/\bdo[por]_v1_[a-f0-9]{64}\b/g, "digitalocean_token"],
  [/\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}/g, "pypi_token"],
  [/\bATATT3[A-Za-z0-9_=-]{20,}/g, "atlassian_token"],
  [/\bsq0(?:atp|csp)-[0-9A-Za-z_-]{22,}/g, "square_token"],
  [
    /https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/\d+\/[A-Za-z0-9_-]+/g,
    "discord_webhook",
  ],
  [/\bya29\.[0-9A-Za-z_-]{20,}/g, "google_oauth_token"],
  [/\bGOCSPX-[A-Za-z0-9_-]{20,}/g, "google_client_secret"],
  [/\bhv[sbr]\.[A-Za-z0-9_-]{24,}/g, "vault_token"],
  [/\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{40,}/g, "terraform_token"],
  [/\bglsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}\b/g, "grafana_token"],
  [/\bglc_[A-Za-z0-9+/]{32,}={0,2}/g, "grafana_token"],
  [/\bsntry[su]_[A-Za-z0-9+/=_-]{30,}/g, "sentry_token"],
  [/\blin_api_[A-Za-z0-9]{40}\b/g, "linear_key"],
  [/\bNRAK-[A-Z0-9]{27}\b/g, "newrelic_key"],
  [/\bdp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}\b/g, "doppler_token"],
  [/\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b/g, "postman_key"],
  [/\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}\b/g, "age_key"],
  [/\bLTAI[A-Za-z0-9]{12,20}\b/g, "alibaba_key"],
  [/\bpscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,64}/g, "planetscale_token"],
];

/** Header names whose whole value is a credential (the `ruleHint` below must keep matching them). */
const credentialHeaderNames =
  "(?:proxy-)?(?:authorization|cookie|set-cookie|x-api-key|api-key|x-redlock-auth|x-lw-uaks|x-auth-token|private-token)";

/** The same names, plus any `x-…-token`, `x-…-key` or `x-…-secret`: for header objects, where a name is all there is. */
const credentialHeaderPattern = new RegExp(
  `^(?:${credentialHeaderNames}|x-[\\w-]*(?:token|key|secret))$`,
  "i",
);

/** Parameter names whose values are masked in URLs. */
const secretParamPattern =
  /^(?:key|sig|code|auth|apikey|api[_-]key|client[_-]secret|password|passwd|pwd|x-amz-credential|x-goog-credential|[\w.-]*(?:token|secret|signature|password)[\w.-]*)$/i;

const textRules: readonly TextRule[] = [
  // PEM private keys, whole block (an unterminated block is masked to the end of the text).
  [
    /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY( BLOCK)?-----[\s\S]*?(?:-----END \1PRIVATE KEY\2-----|$)/g,
    () => mask("private_key"),
  ],
  [/\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, () => mask("jwt")],
  // userinfo password in any URL or connection URI: scheme://user:password@host
  [
    /\b([a-z][a-z0-9+.-]{0,31}:\/\/)([^\s:/@]{0,256}):([^\s/]{1,256})@/gi,
    (match, scheme, user, password) =>
      password.startsWith("[REDACTED:") ? match : `${scheme}${user}:${mask("password")}@`,
  ],
  ...vendorKeys.map(([pattern, kind]): TextRule => [pattern, () => mask(kind)]),
  // ADO/ODBC/Azure connection strings: Password=…; AccountKey=…; SharedAccessSignature=…
  [
    /\b(Password|Pwd|AccountKey|SharedAccessKey|SharedAccessSignature|ClientSecret)(\s*=\s*)("[^"]*"|'[^']*'|[^;"'\s]+)/gi,
    (match, label, separator, value) =>
      isPlaceholder(value) ? match : `${label}${separator}${mask(connectionKind(label))}`,
  ],
  // Secret-looking parameters in URLs inside text.
  [
    /([?&#])([\w.-]+)=([^&#\s"'<>]+)/g,
    (match, separator, name, value) =>
      secretParamPattern.test(name) && !value.startsWith("[REDACTED:")
        ? `${separator}${name}=${mask("url_param")}`
        : match,
  ],
  // Header lines: the whole value of Authorization, Cookie and API-key headers.
  [
    new RegExp(`^([ \\t]*${credentialHeaderNames}[ \\t]*:[ \\t]*)(\\S[^\\r\\n]*)$`, "gim"),
    (match, head, value) =>
      value.startsWith("[REDACTED:")
        ? match
        : `${head}${mask(/cookie/i.test(head) ? "cookie" : "authorization")}`,
  ],
  // A Cookie header quoted inside a sentence (not at a line start): its name=value pairs to the end of the line.
  [
    /\b((?:set-)?cookie[ \t]*:[ \t]*)([\w.-]+=[^\r\n]*)/gi,
    (match, head, value) => (value.startsWith("[REDACTED:") ? match : `${head}${mask("cookie")}`),
  ],
  [
    new RegExp(`\\b(${authSchemes})(\\s+)([A-Za-z0-9._~+/-]{8,}=*)`, "g"),
    (match, scheme, space, credential) =>
      /[\d._~+/=-]/.test(credential)
        ? `${scheme}${space}${mask(scheme.toLowerCase() === "basic" ? "basic" : "bearer")}`
        : match,
  ],
  // Labelled secrets: password=…, "apiKey": "…", AWS_SECRET_ACCESS_KEY: …, client_secret=… (not ARN parts like `:secret:name`).
  [
    /(?<![:/])\b([\w-]{0,40}?(?:secret[_-]?access[_-]?key|password|passwd|passphrase|pwd|secret|api[_-]?key|access[_-]?key|private[_-]?key|token|credentials?))(["']?[ \t]*[:=][ \t]*)("[^"\r\n]*"|'[^'\r\n]*'|[^\s"',;&}<>)\]]+)/gi,
    (match, label, separator, value) => {
      const bare = value.replace(/^["']|["']$/g, "");
      if (isPlaceholder(bare)) return match;
      const quote = value.startsWith('"') || value.startsWith("'") ? value[0] : "";
      return `${label}${separator}${quote}${mask(labelKind(label))}${quote}`;
    },
  ],
];

function connectionKind(label: string): string {
  return /^(password|pwd)$/i.test(label) ? "password" : "access_key";
}

function labelKind(label: string): string {
  const normalized = normalizeKey(label);
  if (/secretaccesskey/.test(normalized)) return "aws_secret_key";
  return secretKeyWords.find(([pattern]) => pattern.test(normalized))?.[1] ?? "secret";
}

/** Values that stand for a secret rather than being one: `true`, `null`, `****`, `<password>`, `${DB_PASSWORD}`. */
function isPlaceholder(value: string): boolean {
  return (
    value === "" ||
    value.startsWith("[REDACTED:") ||
    /^(?:true|false|null|nil|none|undefined|required|optional|redacted|\*+|x{3,}|<[^>]*>|\$\{?[\w.-]+\}?|\{\{[^}]*(?:\}\})?|%[^%]*%)$/i.test(
      value,
    )
  );
}

/**
 * Cheap pre-check: a string no rule can match skips the rules (most finding text). It must stay a
 * superset of every rule's trigger: a PEM header, `eyJ`, `://`, a vendor key prefix, a URL
 * parameter, a secret label or header name, or an auth scheme.
 */
const ruleHint =
  /-----BEGIN|eyJ|:\/\/|gh[pousr]_|github_pat_|gl[a-z]{1,5}-|gl(?:sa|c)_|xox[abposr]-|xapp-|[sr]k_(?:live|test)_|whsec_|AIza|sk-|npm_|hf_|SG\.|Q~|A(?:KI|SI|BI|CC)A|SK[0-9a-f]{32}|key-|shp(?:at|ss|ca|pa)_|dapi|do[por]_v1_|pypi-|ATATT|sq0|ya29\.|GOCSPX-|hv[sbr]\.|atlasv1|sntry|lin_api_|NRAK-|dp\.|PMAK-|AGE-SECRET|LTAI|pscale_|[?&#][\w.-]+=|secret|passw|passphrase|pwd|api[_-]?key|access[_-]?key|private[_-]?key|token|credential|authorization|cookie|auth|uaks|accountkey|sharedaccess|bearer|basic|digest|negotiate|ssws|splunk/i;

function redactText(text: string, settings: Settings): string {
  let result = text;
  if (ruleHint.test(text)) {
    for (const [pattern, replace] of textRules) {
      pattern.lastIndex = 0;
      result = result.replace(pattern, replace as (match: string, ...groups: unknown[]) => string);
    }
  }
  // A token needs an upper-case letter (see `looksLikeToken`): ids, digests and paths in lower case
  // (most of what findings hold) skip the candidate scan.
  return settings.entropy === undefined ||
    result.length < settings.entropy.minLength ||
    !upperCasePattern.test(result)
    ? result
    : maskHighEntropy(result, settings.entropy);
}

const upperCasePattern = /[A-Z]/;

/**
 * {@link redactText} with the default settings, memoized for strings up to 512 characters (16,384 of
 * them at most, so a few MB whatever the input; a big case's sample holds thousands): the
 * same case (its findings, titles, raw fields) is redacted again for every action, approval and
 * record that carries it.
 */
function redactDefaultText(text: string): string {
  return text.length > 512 ? redactText(text, defaultSettings) : redactShortText(text);
}

const redactShortText = memoize((text: string) => redactText(text, defaultSettings), 16_384);

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function maskHighEntropy(text: string, entropy: NonNullable<Settings["entropy"]>): string {
  entropy.candidates.lastIndex = 0;
  return text.replace(entropy.candidates, (candidate) =>
    looksLikeToken(candidate, entropy.threshold) ? mask("high_entropy") : candidate,
  );
}

/** True for a random-looking token: mixed classes, high entropy, not a UUID, hex digest, path or identifier. */
function looksLikeToken(candidate: string, threshold: number): boolean {
  const core = candidate.replace(/=+$/, "");
  if (uuidPattern.test(core) || /^[0-9a-f]+$/i.test(core) || /^[\d-]+$/.test(core)) return false;
  if (!/[A-Z]/.test(core) || !/[a-z]/.test(core) || !/\d/.test(core)) return false;
  // Paths and identifiers are made of words: a slash- or dash-separated segment of 4+ letters only.
  if (/[/_-]/.test(core) && core.split(/[/_-]/).some((segment) => /^[A-Za-z][a-z]{3,}$/.test(segment)))
    return false;
  // CamelCase identifiers (`ProcessPaymentsHandlerV2`) are mostly capitalized words; random tokens are not.
  const wordChars = (core.match(/[A-Z]?[a-z]{3,}/g) ?? []).join("").length;
  if (wordChars >= core.length / 2) return false;
  return shannonEntropy(core) >= threshold;
}

function maskParams(part: string): string {
  if (part === "") return part;
  const head = part[0];
  const params = part
    .slice(1)
    .split("&")
    .map((param) => {
      const [name = "", ...value] = param.split("=");
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // keep the raw name
      }
      return value.length > 0 && secretParamPattern.test(decoded) ? `${name}=${mask("url_param")}` : param;
    });
  return `${head}${params.join("&")}`;
}

const emailPattern =
  /\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b/g;
const ipv4Pattern =
  /\b(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\b(?!\.\d)/g;
const ipv6Pattern =
  /(?<![\w:])(?:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|(?:[0-9a-f]{1,4}:){1,7}:|(?:[0-9a-f]{1,4}:){1,6}(?::[0-9a-f]{1,4}){1,6}|::(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4})(?![\w:])/gi;
const awsAccountPattern = /(?<![\d.])\d{12}(?![\d.])/g;
const subscriptionPattern =
  /((?:\/subscriptions\/|subscription(?:[_ -]?id)?["']?\s*[:=]\s*["']?))([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/gi;
const gcpProjectPattern = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const projectPattern =
  /((?:\bprojects\/|\bproject(?:[_ -]?id)?["']?\s*[:=]\s*["']?))([a-z][a-z0-9-]{4,28}[a-z0-9])(?![a-z0-9-])/gi;
