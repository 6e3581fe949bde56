/** Where a template value lands, which decides how it is escaped. */
export type RenderContext = "text" | "url" | "bash" | "hcl" | "json" | "yaml" | (string & {});

/** The placeholder syntax: `{{name}}` with a dotted name. */
export const placeholderPattern = /\{\{\s*([a-zA-Z][\w.]*)\s*\}\}/g;

/**
 * Fills `{{name}}` placeholders from `variables`. Values come from cloud resources and are
 * untrusted: control characters and line breaks are removed everywhere, values are quoted for
 * shells when they hold anything but safe characters, escaped inside HCL/JSON strings and
 * URI-encoded in URLs, so a crafted resource name cannot break out of a fix snippet.
 * A missing value takes its entry in `defaults` (trusted text such as `<region>`, not escaped);
 * placeholders with neither are left as they are (see `placeholdersIn`).
 * @example
 * renderTemplate("aws s3api get-bucket-acl --bucket {{resource.name}}", { "resource.name": "logs" }, "bash");
 */
export function renderTemplate(
  template: string,
  variables: Readonly<Record<string, string | undefined>>,
  context: RenderContext = "text",
  defaults: Readonly<Record<string, string>> = {},
): string {
  return template.replace(placeholderPattern, (whole, name: string) => {
    const value = variables[name];
    if (value !== undefined && value !== "") return escapeFor(context, clean(value));
    return defaults[name] ?? whole;
  });
}

/** The placeholder names a template uses, in order of first use. */
export function placeholdersIn(template: string): string[] {
  return [...new Set([...template.matchAll(placeholderPattern)].map((match) => match[1] as string))];
}

function clean(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ").slice(0, 512);
}

function escapeFor(context: RenderContext, value: string): string {
  switch (context) {
    case "bash":
    case "sh":
    case "shell":
    case "powershell":
      return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
    case "hcl":
    case "terraform":
      return JSON.stringify(value)
        .slice(1, -1)
        .replaceAll("${", () => "$${")
        .replaceAll("%{", "%%{");
    case "json":
      return JSON.stringify(value).slice(1, -1);
    case "url":
      return encodeURI(value).replaceAll("#", "%23").replaceAll("?", "%3F");
    default:
      return value;
  }
}
