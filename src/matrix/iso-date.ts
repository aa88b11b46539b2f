const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Tells whether `text` is a calendar date written as YYYY-MM-DD, such as 2027-01-31 (but not 2027-02-30). */
export function isIsoDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  return match !== null && isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** Returns the UTC calendar date of a time as YYYY-MM-DD. */
export function utcDate(time: Date): string {
  return time.toISOString().slice(0, 10);
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
