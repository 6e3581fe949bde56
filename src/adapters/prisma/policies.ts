import { ConfigurationError, InvalidResponseError } from "../../core/errors.js";
import type { NativeQuery } from "../../core/source.js";
import type { PrismaClient } from "./client.js";

/**
 * Creates a custom config policy whose rule is the query's RQL (`POST /policy`): `rule.criteria` is the
 * query itself with `parameters.savedSearch: "false"` (Prisma takes the RQL directly, no saved search
 * needed; `prismacloud_policy` in PaloAltoNetworks/terraform-provider-prismacloud). `variables.policy`
 * is the rest of the body (`name`, `severity`, `cloudType`, `enabled`, `rule.name`, …). Answers the
 * created policy with its `policyId`; when the answer carries none, the id is looked up by the
 * policy's unique name (`GET /v2/policy?policy.name=`), as the vendor's Go SDK does.
 * @throws ConfigurationError for a query that is not `config from` RQL or a policy without a name.
 */
export async function createConfigPolicy(
  client: PrismaClient,
  native: NativeQuery,
  signal: AbortSignal | undefined,
): Promise<Record<string, unknown> & { policyId: string }> {
  const policy = native.variables?.policy as Record<string, unknown> | undefined;
  const name = policy?.name;
  if (!/^\s*config\s+from\s/i.test(native.query) || typeof name !== "string" || name === "") {
    throw new ConfigurationError(
      'prisma: creating a policy takes "config from" RQL in `query` and the policy body, with its name, in `variables.policy`; nothing was sent.',
      { option: "query" },
    );
  }
  const rule = (policy?.rule ?? {}) as Record<string, unknown>;
  const parameters = (rule.parameters ?? {}) as Record<string, unknown>;
  const body = {
    policyType: "config",
    ...policy,
    rule: {
      name,
      type: "Config",
      ...rule,
      criteria: native.query,
      parameters: { withIac: "false", ...parameters, savedSearch: "false" },
    },
  };
  const created = await client.request<Record<string, unknown> | undefined>("POST", "/policy", {
    json: body,
    signal,
    idempotent: false,
  });
  const answer = created.data ?? {};
  if (typeof answer.policyId === "string" && answer.policyId !== "")
    return { ...answer, policyId: answer.policyId };
  const found = await client.request<unknown>("GET", "/v2/policy", {
    searchParams: { "policy.name": name },
    signal,
    idempotent: true,
  });
  const matches = Array.isArray(found.data)
    ? (found.data as { name?: unknown; policyId?: unknown }[]).filter((item) => item?.name === name)
    : [];
  const policyId = matches.length === 1 ? matches[0]!.policyId : undefined;
  if (typeof policyId !== "string" || policyId === "") {
    throw new InvalidResponseError(
      `prisma: POST /policy answered without a policyId, and ${matches.length} policies are named "${name}"`,
      {
        integration: "prisma",
        issues: [{ path: ["policyId"], message: "expected one policy of that name" }],
      },
    );
  }
  return { ...answer, policyId };
}
