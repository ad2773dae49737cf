// Cron expressions of five fields, as Cloudflare's cron triggers take them.

const FIELD_RANGES: Array<[number, number]> = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
const NAMES: Record<number, string[]> = {
  3: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
  4: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
};

export function isValidCron(expr: string): boolean {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) return false;
  return fields.every((f, i) => validField(f, i));
}

function validField(field: string, i: number): boolean {
  const [lo, hi] = FIELD_RANGES[i]!;
  const value = (s: string): number | undefined => {
    const named = NAMES[i]?.indexOf(s.toUpperCase());
    if (named !== undefined && named >= 0) return named + (i === 3 ? 1 : 0);
    if (!/^\d+$/.test(s)) return undefined;
    const n = Number(s);
    return n >= lo && n <= hi ? n : undefined;
  };
  return field.split(",").every((part) => {
    const [range, step] = part.split("/");
    if (step !== undefined && (!/^\d+$/.test(step) || Number(step) === 0)) return false;
    if (range === "*" || (i === 2 && range === "L")) return true;
    if (range === undefined) return false;
    if (/^[^-]+-[^-]+$/.test(range)) {
      const [a, b] = range.split("-").map(value);
      return a !== undefined && b !== undefined && a <= b;
    }
    if (i === 4 && /^[0-7]#[1-5]$/.test(range)) return true;
    return value(range) !== undefined;
  });
}
