import type { TeamsOptions } from "../../sinks/teams/teams.js";
import type { Emulation } from "./emulation.js";
import { type Faults, jsonResponse } from "./faults.js";

/** What `startSandbox()` exposes as `sandbox.teams`: the options `teams()` takes. */
export type TeamsSandboxOptions = Required<Pick<TeamsOptions, "webhookUrl">>;

/** A card posted to the emulated Workflows flow. */
export interface EmulatedTeamsCard {
  /** The Adaptive Card (`type: "AdaptiveCard"`). */
  card: Record<string, unknown>;
  receivedAt: string;
}

/** The Teams emulation, with inspection helpers for tests. */
export interface TeamsEmulation extends Emulation<TeamsSandboxOptions> {
  readonly faults: Faults;
  /** Every card posted so far, in order. */
  cards(): EmulatedTeamsCard[];
}

/** The flow's path below the prefix, and the signature its URL carries (the secret part). */
const flowPath = "/workflows/sandbox-flow/triggers/manual/paths/invoke";
const signature = "sandbox-teams-signature";

/**
 * An emulation of a Teams Workflows flow "Post to a channel when a webhook request is received":
 * `POST` a `message` with one Adaptive Card attachment to the flow's URL, whose `sig` parameter is its
 * only credential; 202 Accepted, 401 for a wrong signature, 400 for a body that is not a card message.
 * @example
 * const emulation = teamsEmulation(createFaults());
 * const sink = teams({ ...emulation.options("http://127.0.0.1:4010/teams"), fetch });
 */
export function teamsEmulation(faults: Faults): TeamsEmulation {
  const cards: EmulatedTeamsCard[] = [];
  return {
    name: "teams",
    faults,
    async handle(request, path) {
      const fault = await faults.before(request);
      if (fault) return fault;
      if (request.method !== "POST" || path !== flowPath) return jsonResponse(404, { error: "NotFound" });
      if (new URL(request.url).searchParams.get("sig") !== signature)
        return jsonResponse(401, { error: { code: "DirectApiAuthorizationRequired" } });
      const body = (await request.json().catch(() => undefined)) as
        | { type?: unknown; attachments?: { contentType?: unknown; content?: unknown }[] }
        | undefined;
      const attachment = body?.attachments?.[0];
      const card = attachment?.content as Record<string, unknown> | undefined;
      if (
        body?.type !== "message" ||
        attachment?.contentType !== "application/vnd.microsoft.card.adaptive" ||
        card?.type !== "AdaptiveCard"
      ) {
        return jsonResponse(400, { error: { code: "InvalidRequestContent" } });
      }
      cards.push({ card, receivedAt: new Date().toISOString() });
      return new Response(null, { status: 202 });
    },
    options: (baseUrl) => ({ webhookUrl: `${baseUrl}${flowPath}?api-version=1&sig=${signature}` }),
    cards: () => cards.map((entry) => structuredClone(entry)),
  };
}
