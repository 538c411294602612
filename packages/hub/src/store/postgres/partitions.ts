/** The day partition of `reports` that holds `ms`: its name and its [from, to) bounds in UTC. */
export function dayPartition(ms: number): { name: string; from: string; to: string } {
  const day = new Date(ms);
  day.setUTCHours(0, 0, 0, 0);
  const next = new Date(day.getTime() + 86_400_000);
  const iso = day.toISOString().slice(0, 10);
  return { name: `reports_${iso.replaceAll('-', '')}`, from: day.toISOString(), to: next.toISOString() };
}

/** When the day partition named `name` (as dayPartition names it) ends, in ms; undefined for any other name. */
export function partitionEnd(name: string): number | undefined {
  const m = /^reports_(\d{4})(\d{2})(\d{2})$/.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1) : undefined;
}
