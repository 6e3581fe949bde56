import { isFields } from "../../adapters/shared/fields.js";
import { canonicalJson } from "../../core/canonical-json.js";
import type { Finding } from "../../core/finding.js";
import { stableHash } from "../../core/fingerprint.js";
import type {
  Baseline,
  BaselineIndex,
  BaselineSource,
  ChangeAttribution,
  ResourceSnapshot,
} from "./baseline.js";
import { wildcard } from "./pattern.js";

/** One attribute of one resource that differs from its approved baseline. */
export interface Drift {
  /** Stable for the same resource, attribute and drifted value: a re-run finds the same id. */
  id: string;
  resourceId: string;
  resourceType: string;
  environment?: string;
  /** The attribute, dotted (`publicAccessBlock.BlockPublicAcls`); `rule:<id>` for a finding that newly fails without a snapshot. */
  path: string;
  /** What the baseline expects (`undefined`: the attribute should not exist). */
  before: unknown;
  /** What the resource has now (`undefined`: the attribute is gone). */
  after: unknown;
  /** The baseline version drifted from. */
  baseline: {
    scope: string;
    version: number;
    source: BaselineSource;
    approvedBy: string;
    archetypes?: string[];
    iac?: Baseline["iac"];
  };
  /** Who changed it, when, and through what, when a platform says so. */
  change?: ChangeAttribution;
  /** The findings that point at this drift (change signals). */
  findingIds: string[];
  detectedAt: string;
}

/** A platform's hint that a resource changed: a finding that newly fails, or a cloud-event alert. */
export interface ChangeSignal {
  kind: "newly-failing" | "cloud-event";
  resourceId: string;
  resourceType: string;
  findingId: string;
  rule: string;
  platform: string;
  change?: ChangeAttribution;
}

/** Options of {@link detectDrift}. */
export interface DetectDriftOptions {
  /** Change signals (from {@link changeSignals}) that attribute drift on the same resource. */
  signals?: readonly ChangeSignal[];
  /** The clock for `detectedAt`. @default () => new Date() */
  now?: () => Date;
}

/**
 * Compares snapshots with their approved baselines: every resource against its own baseline (exact:
 * added and removed attributes count) and against its type's (only the settings that baseline lists).
 * Each drift names the attribute, the expected and actual values, and who changed it when the
 * snapshot or a change signal on the same resource says so. Resources without a baseline are not
 * compared. Arrays compare as a whole.
 * @example
 * const drifts = detectDrift(await inventory(), await approvedBaselines(store).index(), { signals: changeSignals(findings, previous) });
 */
export function detectDrift(
  snapshots: Iterable<ResourceSnapshot>,
  index: BaselineIndex,
  options: DetectDriftOptions = {},
): Drift[] {
  const detectedAt = (options.now ?? (() => new Date()))().toISOString();
  const signalsByResource = groupSignals(options.signals ?? []);
  const drifts: Drift[] = [];
  for (const snapshot of snapshots) {
    const own = index.byResource.get(snapshot.id);
    const typed = index.byType.get(snapshot.type);
    if (own === undefined && typed === undefined) continue;
    const differences: Difference[] = [];
    const seen = new Set<string>();
    if (own) diffExact(own.attributes, snapshot.attributes, "", differences, own);
    if (typed) diffRequired(typed.attributes, snapshot.attributes, "", differences, typed);
    if (differences.length === 0) continue;
    const signals = signalsByResource.get(snapshot.id);
    const change = snapshot.lastChange ?? latestChange(signals);
    const findingIds = signals ? signals.map((signal) => signal.findingId) : [];
    for (const difference of differences) {
      if (seen.has(difference.path)) continue;
      seen.add(difference.path);
      drifts.push(makeDrift(snapshot, difference, change, findingIds, detectedAt));
    }
  }
  return drifts;
}

/**
 * Drifts for change signals on resources no snapshot covers: one per signal, at `rule:<rule id>`,
 * from `pass` to `fail`, against the resource's baseline (or its type's). Signals on resources
 * without a baseline are skipped.
 */
export function driftsFromSignals(
  signals: readonly ChangeSignal[],
  index: BaselineIndex,
  options: { now?: () => Date } = {},
): Drift[] {
  const detectedAt = (options.now ?? (() => new Date()))().toISOString();
  const drifts: Drift[] = [];
  for (const signal of signals) {
    const baseline = index.byResource.get(signal.resourceId) ?? index.byType.get(signal.resourceType);
    if (!baseline) continue;
    drifts.push(
      makeDrift(
        { id: signal.resourceId, type: signal.resourceType, attributes: {} },
        { path: `rule:${signal.rule}`, before: "pass", after: "fail", baseline },
        signal.change,
        [signal.findingId],
        detectedAt,
      ),
    );
  }
  return drifts;
}

/** Options of {@link changeSignals}. */
export interface ChangeSignalOptions {
  /**
   * Actors that are your IaC pipeline (e.g. the Terraform CI role's ARN); their changes count as
   * `via: "iac"`. Compared case-insensitively; `*` matches any run of characters.
   */
  iacActors?: readonly string[];
}

/**
 * The change signals among normalized findings: configuration findings open now that were not open
 * in `previous` (newly failing; without `previous` none are), and cloud-event alerts — Wiz
 * detections and cloud-event rules, Lacework CloudTrail-based alerts, Prisma `audit_event` policies —
 * with who, when and how where their raw payload says (`actors`/`primaryActor`, `CT_User`,
 * CloudTrail's `userIdentity`, `eventTime`, `eventName`, `userAgent`). A console user agent is
 * `console`; Terraform, CloudFormation, Pulumi or CDK (or an `iacActors` match) is `iac`; anything
 * else `api`. Raw text is only read as data, never followed.
 * @example
 * const signals = changeSignals(await collect(source.findings()), lastRunFindings, { iacActors: ["arn:aws:iam::*:role/terraform-ci"] });
 */
export function changeSignals(
  current: Iterable<Finding>,
  previous?: Iterable<Finding>,
  options: ChangeSignalOptions = {},
): ChangeSignal[] {
  const openBefore = previous ? new Set<string>() : undefined;
  if (previous && openBefore)
    for (const finding of previous) if (finding.status === "open") openBefore.add(finding.id);
  const iacActors = (options.iacActors ?? []).map(wildcard);
  const signals: ChangeSignal[] = [];
  for (const finding of current) {
    if (finding.status !== "open") continue;
    const event = cloudEventOf(finding);
    if (event) {
      const change = attributionOf(event, finding.source.platform, iacActors);
      signals.push(signalOf(finding, "cloud-event", change));
    } else if (finding.category !== "threat" && openBefore && !openBefore.has(finding.id)) {
      signals.push(signalOf(finding, "newly-failing"));
    }
  }
  return signals;
}

// Internal helpers.

interface Difference {
  path: string;
  before: unknown;
  after: unknown;
  baseline: Baseline;
}

function makeDrift(
  snapshot: ResourceSnapshot,
  difference: Difference,
  change: ChangeAttribution | undefined,
  findingIds: string[],
  detectedAt: string,
): Drift {
  const { baseline } = difference;
  const drift: Drift = {
    id: `drf_${stableHash(snapshot.id, difference.path, JSON.stringify(difference.after) ?? "undefined")}`,
    resourceId: snapshot.id,
    resourceType: snapshot.type,
    path: difference.path,
    before: difference.before,
    after: difference.after,
    baseline: {
      scope: baseline.scope,
      version: baseline.version,
      source: baseline.source,
      approvedBy: baseline.approvedBy,
      ...(baseline.archetypes ? { archetypes: baseline.archetypes } : {}),
      ...(baseline.iac ? { iac: baseline.iac } : {}),
    },
    findingIds,
    detectedAt,
  };
  if (snapshot.environment) drift.environment = snapshot.environment;
  if (change) drift.change = change;
  return drift;
}

function join(prefix: string, key: string): string {
  return prefix === "" ? key : `${prefix}.${key}`;
}

/** Both ways: attributes that differ, were added or were removed. */
function diffExact(
  expected: Record<string, unknown>,
  actual: Record<string, unknown>,
  prefix: string,
  out: Difference[],
  baseline: Baseline,
): void {
  for (const key in expected) {
    const path = join(prefix, key);
    const want = expected[key];
    const have = actual[key];
    if (isFields(want) && isFields(have)) diffExact(want, have, path, out, baseline);
    else if (!sameValue(want, have)) out.push({ path, before: want, after: have, baseline });
  }
  for (const key in actual) {
    if (!(key in expected) && actual[key] !== undefined) {
      out.push({ path: join(prefix, key), before: undefined, after: actual[key], baseline });
    }
  }
}

/** One way: only the attributes the baseline lists. */
function diffRequired(
  expected: Record<string, unknown>,
  actual: Record<string, unknown>,
  prefix: string,
  out: Difference[],
  baseline: Baseline,
): void {
  for (const key in expected) {
    const path = join(prefix, key);
    const want = expected[key];
    const have = actual[key];
    if (isFields(want)) diffRequired(want, isFields(have) ? have : {}, path, out, baseline);
    else if (!sameValue(want, have)) out.push({ path, before: want, after: have, baseline });
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  // Key order is not meaning: a store may hand values back with their keys sorted.
  return JSON.stringify(a) === JSON.stringify(b) || canonicalJson(a) === canonicalJson(b);
}

function groupSignals(signals: readonly ChangeSignal[]): Map<string, ChangeSignal[]> {
  const map = new Map<string, ChangeSignal[]>();
  for (const signal of signals) {
    const list = map.get(signal.resourceId);
    if (list) list.push(signal);
    else map.set(signal.resourceId, [signal]);
  }
  return map;
}

/** The attributed change with the latest `at` (one without a time counts as oldest). */
function latestChange(signals: readonly ChangeSignal[] | undefined): ChangeAttribution | undefined {
  let latest: ChangeAttribution | undefined;
  for (const signal of signals ?? []) {
    if (!signal.change) continue;
    if (!latest || (signal.change.at ?? "") > (latest.at ?? "")) latest = signal.change;
  }
  return latest;
}

function signalOf(finding: Finding, kind: ChangeSignal["kind"], change?: ChangeAttribution): ChangeSignal {
  const signal: ChangeSignal = {
    kind,
    resourceId: finding.resource.id,
    resourceType: finding.resource.type,
    findingId: finding.id,
    rule: finding.rule.id,
    platform: finding.source.platform,
  };
  if (change) signal.change = change;
  return signal;
}

/** The fields of a cloud event that say who, when and how, gathered from a raw payload. */
interface EventFields {
  actor?: string;
  at?: string;
  event?: string;
  userAgent?: string;
}

/** The event fields of a finding that is a cloud-event alert, else undefined. */
function cloudEventOf(finding: Finding): EventFields | undefined {
  const raw = finding.raw;
  if (!isFields(raw)) return undefined;
  switch (finding.source.platform) {
    case "wiz": {
      const rule = raw.sourceRule;
      const isEvent =
        Array.isArray(raw.actors) ||
        isFields(raw.primaryActor) ||
        Array.isArray(raw.triggeringEvents) ||
        (isFields(rule) && rule.__typename === "CloudEventRule");
      if (!isEvent) return undefined;
      const actor = isFields(raw.primaryActor)
        ? raw.primaryActor
        : Array.isArray(raw.actors) && isFields(raw.actors[0])
          ? raw.actors[0]
          : undefined;
      const trigger = Array.isArray(raw.triggeringEvents) ? raw.triggeringEvents[0] : undefined;
      const trail = cloudTrailFields(trigger);
      return {
        actor: text(actor?.externalId) ?? text(actor?.name) ?? trail.actor,
        at: trail.at ?? isoOf(raw.startedAt) ?? isoOf(raw.createdAt),
        event: trail.event ?? (isFields(trigger) ? text(trigger.name) : undefined),
        userAgent: trail.userAgent,
      };
    }
    case "lacework": {
      const map = isFields(raw.entityMap)
        ? raw.entityMap
        : isFields(raw.ENTITY_MAP)
          ? raw.ENTITY_MAP
          : undefined;
      const users = map?.CT_User;
      const source = `${text(raw.alertType) ?? ""} ${text(raw.derivedFields && (raw.derivedFields as Record<string, unknown>).source) ?? ""}`;
      if (!Array.isArray(users) && !/cloudtrail/i.test(source)) return undefined;
      const user = Array.isArray(users) && isFields(users[0]) ? users[0] : {};
      const key = isFields(user.KEY) ? user.KEY : {};
      const props = isFields(user.PROPS) ? user.PROPS : {};
      const api = Array.isArray(map?.API) && isFields(map.API[0]) ? map.API[0] : {};
      const apiKey = isFields(api.KEY) ? api.KEY : api;
      return {
        actor:
          text(key.principal_id) ??
          text(key.username) ??
          text(props.principal_id) ??
          text(user.PRINCIPAL_ID) ??
          text(user.USERNAME),
        at: isoOf(raw.startTime),
        event: text(apiKey.api) ?? text(apiKey.API),
        userAgent: text(props.user_agent),
      };
    }
    case "prisma": {
      const policy = raw.policy;
      if (!isFields(policy) || policy.policyType !== "audit_event") return undefined;
      const resource = isFields(raw.resource) ? raw.resource : {};
      const trail = cloudTrailFields(resource.data);
      return { ...trail, at: trail.at ?? isoOf(raw.alertTime) };
    }
    default:
      return undefined;
  }
}

/** Who/when/what/how from a CloudTrail-shaped record (`userIdentity`, `eventTime`, `eventName`, `userAgent`). */
function cloudTrailFields(record: unknown): EventFields {
  if (!isFields(record)) return {};
  const identity = isFields(record.userIdentity) ? record.userIdentity : {};
  return {
    actor: text(identity.arn) ?? text(identity.userName) ?? text(identity.principalId),
    at: isoOf(record.eventTime),
    event: text(record.eventName),
    userAgent: text(record.userAgent),
  };
}

function attributionOf(
  fields: EventFields,
  platform: string,
  iacActors: readonly RegExp[],
): ChangeAttribution {
  const change: ChangeAttribution = { platform };
  if (fields.actor) change.actor = fields.actor;
  if (fields.at) change.at = fields.at;
  if (fields.event) change.event = fields.event;
  const via = viaOf(fields, iacActors);
  if (via) change.via = via;
  return change;
}

function viaOf(fields: EventFields, iacActors: readonly RegExp[]): ChangeAttribution["via"] {
  if (fields.actor && iacActors.some((pattern) => pattern.test(fields.actor as string))) return "iac";
  const agent = fields.userAgent;
  if (!agent) return undefined;
  if (
    /console\.amazonaws\.com|signin\.amazonaws\.com|AWS Internal|portal\.azure\.com|console\.cloud\.google\.com/i.test(
      agent,
    )
  )
    return "console";
  if (/terraform|cloudformation|pulumi|aws-cdk|crossplane/i.test(agent)) return "iac";
  return "api";
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.slice(0, 512) : undefined;
}

/** An ISO-8601 instant from an ISO string or epoch milliseconds. */
function isoOf(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return new Date(value).toISOString();
  if (typeof value !== "string") return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
