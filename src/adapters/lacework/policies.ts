import { ConfigurationError, InvalidResponseError, isCloudstewardError } from "../../core/errors.js";
import type { NativeQuery } from "../../core/source.js";
import type { LaceworkClient } from "./client.js";

/**
 * Creates a custom policy over the query's LQL: saves the query as `variables.saveAs`
 * (`POST /api/v2/Queries`), then creates the policy `variables.policy` over it
 * (`POST /api/v2/Policies`, its `queryId` set to the saved query). A query already saved under that
 * id with the same text is reused, so a retry after a failed policy creation does not trip on its own
 * query; one with another text is refused. Answers the created policy (`data`, with its `policyId`).
 * @throws ConfigurationError without `saveAs` and `policy`, or when the id holds another query.
 */
export async function createLaceworkPolicy(
  client: LaceworkClient,
  native: NativeQuery,
  signal: AbortSignal | undefined,
): Promise<Record<string, unknown> & { policyId: string }> {
  const { saveAs: queryId, policy } = native.variables ?? {};
  if (typeof queryId !== "string" || queryId === "" || typeof policy !== "object" || policy === null) {
    throw new ConfigurationError(
      "lacework: creating a policy takes the query's id in `variables.saveAs` and the policy body in `variables.policy`; nothing was sent.",
      { option: "query" },
    );
  }
  const queryText = native.query.trim();
  const path = `/api/v2/Queries/${encodeURIComponent(queryId)}`;
  const saved = await client
    .request<{ data?: { queryText?: unknown } }>("GET", path, { signal, idempotent: true })
    .then(
      (response) => response.data?.data?.queryText,
      (error: unknown) => {
        if (isCloudstewardError(error, "NOT_FOUND")) return undefined;
        throw error;
      },
    );
  if (saved === undefined) {
    await client.request("POST", "/api/v2/Queries", {
      json: { queryId, queryText },
      signal,
      idempotent: false,
    });
  } else if (typeof saved !== "string" || saved.trim() !== queryText) {
    throw new ConfigurationError(
      `lacework: a query named ${queryId} already exists with another text; rename the policy's query or delete that query; no policy was created.`,
      { option: "variables.saveAs" },
    );
  }
  const created = await client.request<{ data?: Record<string, unknown> }>("POST", "/api/v2/Policies", {
    json: { ...policy, queryId },
    signal,
    idempotent: false,
  });
  const data = created.data?.data;
  if (typeof data?.policyId !== "string" || data.policyId === "") {
    throw new InvalidResponseError("lacework: POST /api/v2/Policies answered without data.policyId", {
      integration: "lacework",
      issues: [{ path: ["data", "policyId"], message: "expected a string" }],
    });
  }
  return { ...data, policyId: data.policyId };
}
