/**
 * The shapes of the Orca records the adapter reads (docs/orca.md, Sources: listing, webhooks), as types.
 * Records are not parsed against them: `normalize` reads each field with the shared `FieldReader`, which
 * checks its type as it goes and names the path of a bad one.
 */

/** A serving-layer value: every selected field of a row comes wrapped like this. */
export interface OrcaValue<T> {
  value: T;
}

/** A related object under a serving-layer row (`Inventory`, `CloudAccount`) when `full_graph_fetch` is on. */
export interface OrcaRelatedObject {
  id?: string;
  name?: string;
  type?: string;
  data: Record<string, OrcaValue<unknown> | undefined>;
}

/**
 * One `Alert` row of `POST /api/serving-layer/query` (docs/orca.md, Record shapes and vocabularies), as
 * {@link normalize} reads it. Only `AlertId` (or the row's `name`) is required; every other field falls
 * back with a warning when a query did not select it. The same fields may also arrive bare (not wrapped
 * in `{ value }`) and at the top level instead of under `data`, as Orca's own client reads them.
 */
export interface OrcaAlertRow {
  id?: string;
  /** The alert id again (`orca-<n>`). */
  name?: string;
  type?: "Alert";
  data: {
    AlertId: OrcaValue<string>;
    AlertType?: OrcaValue<string>;
    RuleId?: OrcaValue<string>;
    Title?: OrcaValue<string>;
    RiskLevel?: OrcaValue<"critical" | "high" | "medium" | "low" | "informational">;
    /** The legacy label (`hazardous`…) or a level in upper case (`HIGH`); read when `RiskLevel` is absent. */
    Severity?: OrcaValue<string>;
    /** The legacy score, 1 (worst) … 4. */
    Score?: OrcaValue<number>;
    OrcaScore?: OrcaValue<number>;
    Category?: OrcaValue<string>;
    Status?: OrcaValue<"open" | "in_progress" | "closed" | "dismissed" | "snoozed">;
    Description?: OrcaValue<string | null>;
    Recommendation?: OrcaValue<string | null>;
    Details?: OrcaValue<string | null>;
    Labels?: OrcaValue<string[]>;
    CveIds?: OrcaValue<string[]>;
    /** `2025-03-02T10:11:12+00:00`. */
    CreatedAt?: OrcaValue<string>;
    LastSeen?: OrcaValue<string>;
    LastUpdated?: OrcaValue<string>;
    /** `AssetUniqueId`, `AssetType`, `AssetVendorId`, `Name`, `Region`, `Tags`. */
    Inventory?: OrcaRelatedObject;
    /** `Name`, `CloudProvider`, `CloudVendorId`. */
    CloudAccount?: OrcaRelatedObject;
    /** The asset when no `Inventory` was selected: `asset_name`, `asset_type`, `cloud_provider`, `cloud_vendor_id`, `account_name`. */
    AssetData?: OrcaValue<Record<string, unknown>>;
    GroupUniqueId?: OrcaValue<string>;
    [key: string]: unknown;
  };
}

/**
 * A legacy alert object (docs/orca.md, Record shapes and vocabularies): `GET /api/query/alerts` and
 * `GET /api/alerts` items and the default webhook body. Only `state.alert_id` is required. The
 * first-generation form (Sentinel's `OrcaAlerts_CL`) has no `state`: `alert_id`, `score`, `time` and
 * `vm_id` sit at the top level.
 */
export interface OrcaLegacyAlert {
  type?: string;
  type_string?: string;
  rule_id?: string;
  category?: string;
  description?: string;
  recommendation?: string;
  asset_name?: string;
  /** e.g. `AwsS3Bucket`; first-generation `vm`, `s3bucket`, `storage`, `vmimage`, `iam_policy`. */
  asset_type?: string;
  asset_unique_id?: string;
  /** The regions of the asset, when the alert has no inventory model. */
  asset_regions?: string[];
  /** The cloud's own id of the asset. */
  asset_vendor_id?: string;
  account_name?: string;
  cloud_provider?: string;
  cloud_provider_id?: string | number;
  cloud_vendor_id?: string;
  state?: {
    alert_id: string;
    status?: string;
    created_at?: string;
    last_seen?: string;
    last_updated?: string;
    risk_level?: string;
    orca_score?: number;
    /** Legacy label: `compromised`, `imminent compromise`, `hazardous`, `informational`. */
    severity?: string;
    /** Legacy 1 (worst) … 4. */
    score?: number;
    [key: string]: unknown;
  };
  model?: { data?: { Inventory?: { Region?: string; Tags?: Record<string, string | null> } } };
  [key: string]: unknown;
}
