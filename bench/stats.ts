// Shared by the benchmark sections.

export interface Row {
  group: string;
  measure: string;
  value: string;
  target: string;
  ok: boolean | null;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
