import { ConfigurationError } from "../../core/errors.js";

/**
 * Parses CSV text (RFC 4180): quoted fields may hold commas, line breaks and doubled quotes (`""`);
 * CRLF, LF and CR line endings; a leading byte-order mark is dropped; blank lines are skipped.
 * @throws ConfigurationError when a quoted field is never closed or text follows a closing quote.
 * @example
 * parseCsv('id,owner\n"arn:aws:s3:::a,b",payments'); // [["id", "owner"], ["arn:aws:s3:::a,b", "payments"]]
 */
export function parseCsv(text: string, options: { delimiter?: string; label?: string } = {}): string[][] {
  const delimiter = options.delimiter ?? ",";
  const label = options.label ?? "csv";
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let fieldStarted = false;
  let line = 1;
  let quoteLine = 0;
  let index = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const endField = () => {
    row.push(field);
    field = "";
    fieldStarted = false;
  };
  const endRow = () => {
    endField();
    if (row.length > 1 || row[0] !== "") rows.push(row);
    row = [];
  };

  while (index < text.length) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"') {
        if (text[index + 1] === '"') {
          field += '"';
          index += 2;
          continue;
        }
        quoted = false;
        index++;
        const next = text[index];
        if (next !== undefined && next !== delimiter && next !== "\n" && next !== "\r") {
          throw new ConfigurationError(
            `${label}: line ${line}: unexpected text after a closing quote. Quote the whole field and double any quote inside it ("").`,
            { option: label },
          );
        }
        continue;
      }
      if (char === "\n" || (char === "\r" && text[index + 1] !== "\n")) line++;
      field += char;
      index++;
      continue;
    }
    if (char === '"' && !fieldStarted && field === "") {
      quoted = true;
      fieldStarted = true;
      quoteLine = line;
      index++;
    } else if (char === delimiter) {
      endField();
      index++;
    } else if (char === "\r" || char === "\n") {
      endRow();
      line++;
      index += char === "\r" && text[index + 1] === "\n" ? 2 : 1;
    } else {
      field += char;
      index++;
    }
  }
  if (quoted) {
    throw new ConfigurationError(
      `${label}: line ${quoteLine}: a quoted field is never closed. Add the closing quote (") or double the quotes inside the field.`,
      { option: label },
    );
  }
  if (field !== "" || fieldStarted || row.length > 0) endRow();
  return rows;
}
