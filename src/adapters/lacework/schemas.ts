/**
 * The shapes of what Lacework FortiCNAPP answers (docs/lacework.md, Sources: listing). Records (a page's
 * `data`) are not parsed against a schema: `normalize` reads each field with the shared `FieldReader`,
 * which checks its type as it goes and names the path of a bad one.
 */

/** A page of a v2 search endpoint (`Alerts/search`, `Vulnerabilities/Hosts/search`…) or of `Reports`. */
export interface SearchPage {
  data?: unknown;
  paging?: { rows?: number; totalRows?: number; urls?: { nextPage?: string | null } };
}
