import { z } from "zod";

/**
 * Free text the domain accepts. PostgreSQL refuses NUL bytes and unpaired UTF-16 surrogates
 * (the query fails, and used to reach people as a 500), and other control characters only hide
 * text from readers, so each text field refuses them with a sentence next to the field.
 */

// Every C0 control character; a single-line field has no use for tabs or line breaks either.
const LINE_CONTROL = /[\u0000-\u001f\u007f]/;
// Multiline text keeps tab, line feed and carriage return.
const TEXT_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** How long each kind of text may be; forms read the same numbers to refuse before sending. */
export const TEXT_LIMITS = {
  name: 120,
  description: 2000,
  reason: 1000,
  tag: 32,
  docs: 200_000,
  openapi: 2_000_000,
  search: 200,
} as const;

export const CONTROL_CHARACTER_MESSAGE = "Remove the control characters (such as NUL) from this text";
export const BROKEN_CHARACTER_MESSAGE = "This text holds a broken character; type it again";

/** The sentence for text that cannot be stored, or undefined when it can. */
export function textProblem(text: string, { multiline = false }: { multiline?: boolean } = {}): string | undefined {
  if ((multiline ? TEXT_CONTROL : LINE_CONTROL).test(text)) return CONTROL_CHARACTER_MESSAGE;
  if (LONE_SURROGATE.test(text)) return BROKEN_CHARACTER_MESSAGE;
  return undefined;
}

/** True when every value could be stored: identifiers from a URL that fail this name nothing. */
export function isStorableText(...values: string[]): boolean {
  return values.every((value) => textProblem(value) === undefined);
}

export function tooLongMessage(max: number): string {
  return `At most ${max.toLocaleString("en-US")} characters`;
}

interface TextOptions {
  max: number;
  /** At least this many characters, after trimming; 1 reads "Required". */
  min?: number;
  /** A sentence for text shorter than `min`. */
  minMessage?: string;
}

function textSchema({ max, min = 0, minMessage }: TextOptions, trim: boolean, multiline: boolean) {
  let schema = z.string();
  if (trim) schema = schema.trim();
  if (min > 0) schema = schema.min(min, minMessage ?? (min === 1 ? "Required" : `At least ${min} characters`));
  return schema.max(max, tooLongMessage(max)).superRefine((text, ctx) => {
    const problem = textProblem(text, { multiline });
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}

/** One line of text (a name, a tag, a version), trimmed. */
export function plainText(options: TextOptions) {
  return textSchema(options, true, false);
}

/** Text that may span lines (a description, a reason, docs); trimmed unless `trim` is false. */
export function multilineText(options: TextOptions & { trim?: boolean }) {
  return textSchema(options, options.trim ?? true, true);
}

/**
 * A search box never fails: characters that cannot be stored are dropped rather than refused,
 * and the text is trimmed and capped.
 */
export function cleanSearchText(text: string | null | undefined): string {
  return (text ?? "")
    .replace(new RegExp(LINE_CONTROL.source, "g"), " ")
    .replace(new RegExp(LONE_SURROGATE.source, "g"), "")
    .trim()
    .slice(0, TEXT_LIMITS.search)
    .replace(/[\ud800-\udbff]$/, "");
}

/** The words of a search, at most `limit` of them, each safe to send to the database. */
export function searchWords(text: string | null | undefined, limit = 8): string[] {
  return cleanSearchText(text).split(/\s+/).filter(Boolean).slice(0, limit);
}

/** A search-text field in a list's query schema. */
export const searchTextSchema = z
  .string()
  .catch("")
  .default("")
  .transform((text) => cleanSearchText(text));
