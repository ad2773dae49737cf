// What every CLI command shares: its input and output, its exit codes, reading its arguments
// (node:util parseArgs, with `--format` checked against the command's formats), and GitHub's
// workflow-command annotations.
import { parseArgs } from "node:util";
import type { Diagnostic } from "../errors.js";

export const EXIT_VALID = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

export interface Io {
  out(s: string): void;
  err(s: string): void;
  cwd: string;
}

export const defaultIo: Io = { out: (s) => process.stdout.write(s + "\n"), err: (s) => process.stderr.write(s + "\n"), cwd: process.cwd() };

type Options = Record<string, { type: "string" | "boolean" }>;
type Values<O extends Options> = { [K in keyof O]?: O[K]["type"] extends "string" ? string : boolean } & { help?: boolean };

/**
 * A command's arguments: its options and the paths after them. A usage problem (an unknown
 * option, a value missing, a `--format` the command does not have) is said on stderr, with
 * `usage`, and answers null: the caller exits EXIT_USAGE.
 */
export function commandArgs<O extends Options>(command: string, args: string[], options: O, io: Io, usage: string, formats?: readonly string[]): { values: Values<O>; paths: string[] } | null {
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
  } catch (e) {
    // parseArgs names the option in its message: "Unknown option '--x'", "Option '--format <value>' argument missing".
    const message = e instanceof Error ? e.message.split(". ")[0]! : String(e);
    io.err(`flowdsl: ${command}: ${message.replace(/^Unknown option/, "unknown option")}\n\n${usage}`);
    return null;
  }
  const format = parsed.values.format;
  if (formats && typeof format === "string" && !formats.includes(format)) {
    io.err(`flowdsl: ${command} --format takes ${formats.join(", ")}, not "${format}"`);
    return null;
  }
  return { values: parsed.values as Values<O>, paths: parsed.positionals };
}

/** GitHub Actions workflow command: ::error file=…,line=…,col=…,title=CODE::message */
export function githubCommand(level: "error" | "warning" | "notice", at: { file: string; line: number; col: number }, title: string, message: string): string {
  const prop = (s: string): string => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A").replace(/:/g, "%3A").replace(/,/g, "%2C");
  const data = (s: string): string => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
  return `::${level} file=${prop(at.file)},line=${at.line},col=${at.col},title=${prop(title)}::${data(message)}`;
}

/** One diagnostic as a GitHub annotation: ::error file=…,line=…,col=…,title=CODE::CODE message */
export function githubAnnotation(d: Diagnostic): string {
  return githubCommand(d.severity, d, d.code, `${d.code} ${d.message}`);
}
