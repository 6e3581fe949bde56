/**
 * How rule names are read as words. Platforms name rules in prose (`S3 bucket allows public read`), as
 * identifiers (`s3_bucket_public_access`, `S3_BUCKET_PUBLIC_READ_PROHIBITED`, `allowPrivilegeEscalation`,
 * `lacework-global-72`) or as dotted control ids (`S3.8`); the matcher compares them all as lower-case
 * words separated by single spaces.
 */

/**
 * The words of a rule name or title, for keyword matching: lower case, with `_` and `-` read as spaces
 * and runs of white space collapsed. A camel-case identifier (`hostPID`, `CloudTrail`) is kept as written
 * and followed by its split form on a second line (`hostpid` and `host pid`), so keywords written either
 * way hit.
 * @example
 * ruleText("S3_BUCKET_PUBLIC_READ_PROHIBITED"); // "s3 bucket public read prohibited"
 * ruleText("core_minimize_hostPID_containers"); // "core minimize hostpid containers\ncore minimize host pid containers"
 */
export function ruleText(value: string): string {
  const plain = words(value);
  if (!/[a-z][A-Z]|[A-Z]{2}[a-z]/.test(value)) return plain;
  const split = words(value.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2"));
  return split === plain ? plain : `${plain}\n${split}`;
}

/**
 * A keyword as the matcher compares it: lower case, `_` and `-` read as spaces (so `multi-az`,
 * `multi_az` and `multi az` are one keyword).
 */
export function keywordText(keyword: string): string {
  return words(keyword);
}

/**
 * The key a rule identifier is looked up by in the alias table: lower case, letters, digits and dots
 * only, so `S3_BUCKET_PUBLIC_READ_PROHIBITED`, `s3-bucket-public-read-prohibited` and
 * `s3BucketPublicReadProhibited` share a key, and `S3.8` stays `s3.8`.
 * @example
 * aliasKey("S3-Bucket-Public-Read-Prohibited"); // "s3bucketpublicreadprohibited"
 */
export function aliasKey(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9.]+/g, "");
}

/**
 * The identifiers a rule id or name may carry besides itself: the last segment of a path-like id
 * (`security-control/S3.8`, `…/v/1.0.0/S3.8` → `S3.8`) and a control id in front of a title
 * (`[S3.8] S3 general purpose buckets…`, `S3.8 S3 general…` → `S3.8`).
 */
export function embeddedIds(value: string): string[] {
  const ids: string[] = [];
  const slash = value.lastIndexOf("/");
  if (slash >= 0 && slash < value.length - 1) ids.push(value.slice(slash + 1));
  const leading = /^\s*\[?([A-Za-z][A-Za-z0-9]*\.\d{1,3})\]?(?:\s|:|$)/.exec(value);
  if (leading?.[1]) ids.push(leading[1]);
  return ids;
}

function words(value: string): string {
  return value
    .toLowerCase()
    .replace(/[_\-\s]+/g, " ")
    .trim();
}
