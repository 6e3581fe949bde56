import type { AuditAppender } from "../../core/audit.js";
import { canonicalJson } from "../../core/canonical-json.js";
import { stableHash } from "../../core/fingerprint.js";
import type { Store } from "../../core/store.js";
import type { Draft } from "./draft.js";

/** The Store namespace of draft versions (key: `<rule id>/<version, six digits>`). */
export const draftVersionsNamespace = "drafting:versions";

/** One saved version of a draft: who drafted it, from what, the rule's digest and its fixture results. */
export interface DraftVersion {
  ruleId: string;
  /** 1, 2, 3…: a new version each time the rule (or its fixtures) changes. */
  version: number;
  /** The digest of the portable rule and its fixtures (canonical JSON): the same digest is the same draft. */
  digest: string;
  requirement: string;
  /** Who saved it (a person or `cloudsteward/drafting`). */
  draftedBy: string;
  /** When it was saved (ISO-8601). */
  draftedAt: string;
  /** `template` or `model`, and the prompt version of a model draft. */
  source: Draft["source"];
  promptVersion?: string;
  /** How many fixtures the rule passed, of how many, and the problems of those it failed. */
  fixtures: { passed: number; total: number; problems: string[] };
  ready: boolean;
  /** The whole draft, to deploy or export this version later. */
  draft: Draft;
}

/** Options of {@link saveDraft}. */
export interface SaveDraftOptions {
  store: Store;
  /** Who drafted it, for the history and the audit log. */
  by: string;
  /** Records every new version (type `draft-version`). */
  audit?: AuditAppender;
  /** The clock; tests pass a fixed one. @default () => new Date() */
  now?: () => Date;
}

/**
 * The digest of a draft: its portable rule and fixtures as canonical JSON, hashed. The requirement's
 * wording and the compiled policies (derived from the rule) do not change it.
 * @example
 * if (draftDigest(draft) !== saved.digest) console.log("the rule changed");
 */
export function draftDigest(draft: Pick<Draft, "rule" | "fixtures">): string {
  return stableHash("draft", canonicalJson({ rule: draft.rule, fixtures: draft.fixtures }));
}

/**
 * Saves a draft in the Store's history of its rule id: a new version when the rule or its fixtures
 * changed since the latest version (`created: true`, audited as `draft-version`), else the latest
 * version as it is (`created: false`, nothing written). Two writers saving at once get distinct
 * version numbers (`setIfAbsent`).
 * @example
 * const { version } = await saveDraft(await draftPolicy("no storage bucket may be public"), { store, by: "alice" });
 * console.log(version.ruleId, version.version, version.digest);
 */
export async function saveDraft(
  draft: Draft,
  options: SaveDraftOptions,
): Promise<{ version: DraftVersion; created: boolean }> {
  const digest = draftDigest(draft);
  for (;;) {
    const versions = await listDraftVersions(options.store, draft.rule.id);
    const latest = versions.at(-1);
    if (latest?.digest === digest) return { version: latest, created: false };
    const passed = draft.test.results.filter((result) => result.passed).length;
    const version: DraftVersion = {
      ruleId: draft.rule.id,
      version: (latest?.version ?? 0) + 1,
      digest,
      requirement: draft.requirement,
      draftedBy: options.by,
      draftedAt: (options.now ?? (() => new Date()))().toISOString(),
      source: draft.source,
      ...(draft.promptVersion === undefined ? {} : { promptVersion: draft.promptVersion }),
      fixtures: { passed, total: draft.test.results.length, problems: [...draft.test.problems] },
      ready: draft.ready,
      draft,
    };
    if (!(await options.store.setIfAbsent(draftVersionsNamespace, versionKey(version), version))) continue;
    await options.audit?.append({
      type: "draft-version",
      at: version.draftedAt,
      actor: options.by,
      data: {
        ruleId: version.ruleId,
        version: version.version,
        digest,
        requirement: version.requirement,
        source: version.source,
        ready: version.ready,
        fixtures: `${passed}/${version.fixtures.total}`,
      },
    });
    return { version, created: true };
  }
}

/**
 * The saved versions of a rule id, oldest first.
 * @example
 * for (const v of await listDraftVersions(store, "storage-bucket-public")) console.log(v.version, v.draftedBy, v.digest);
 */
export async function listDraftVersions(store: Store, ruleId: string): Promise<DraftVersion[]> {
  const versions: DraftVersion[] = [];
  for await (const { value } of store.list<DraftVersion>(draftVersionsNamespace, { prefix: `${ruleId}/` })) {
    if (value.ruleId === ruleId) versions.push(value);
  }
  return versions.sort((a, b) => a.version - b.version);
}

function versionKey(version: Pick<DraftVersion, "ruleId" | "version">): string {
  return `${version.ruleId}/${String(version.version).padStart(6, "0")}`;
}
