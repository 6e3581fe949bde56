import { ConfigurationError } from "../../core/errors.js";
import { optionOrEnv, resolveSecret, type Secret } from "../../core/secret.js";

/** ServiceNow credentials: an OAuth token, or a user and password. */
export interface ServiceNowCredentials {
  /** @default process.env.SERVICENOW_USERNAME */
  username?: string;
  /** @default process.env.SERVICENOW_PASSWORD */
  password?: Secret;
  /** An OAuth bearer token, used instead of username and password. @default process.env.SERVICENOW_TOKEN */
  token?: Secret;
}

/**
 * The Authorization header for ServiceNow's REST APIs, resolved at request time, with the values to
 * scrub from errors. A token (option, else `SERVICENOW_TOKEN` when no password option is given) wins
 * over Basic auth.
 * @throws ConfigurationError naming the missing option and variable.
 */
export async function serviceNowAuthorization(
  credentials: ServiceNowCredentials,
  integration: string,
): Promise<{ header: string; secrets: readonly string[] }> {
  if (
    credentials.token !== undefined ||
    (credentials.password === undefined && process.env.SERVICENOW_TOKEN)
  ) {
    const token = await resolveSecret(credentials.token, {
      env: "SERVICENOW_TOKEN",
      option: "token",
      integration,
    });
    return { header: `Bearer ${token}`, secrets: [token] };
  }
  const username = optionOrEnv(credentials.username, "SERVICENOW_USERNAME");
  if (!username) {
    throw new ConfigurationError(
      `${integration}: username is missing. Pass \`username\` and \`password\` (or \`token\`) to ${integration}(), or set SERVICENOW_USERNAME and SERVICENOW_PASSWORD.`,
      { option: "username", env: "SERVICENOW_USERNAME" },
    );
  }
  const password = await resolveSecret(credentials.password, {
    env: "SERVICENOW_PASSWORD",
    option: "password",
    integration,
  });
  const encoded = Buffer.from(`${username}:${password}`).toString("base64");
  return { header: `Basic ${encoded}`, secrets: [password, encoded] };
}

/** The message of a ServiceNow error body (`{ error: { message, detail } }`), for typed API errors. */
export function serviceNowErrorDetail(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const error = (body as { error?: { message?: unknown; detail?: unknown } }).error;
  if (!error) return undefined;
  return (
    [error.message, error.detail].filter((part) => typeof part === "string" && part).join(": ") || undefined
  );
}
