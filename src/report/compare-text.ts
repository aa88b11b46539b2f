/** Orders strings by UTF-16 code units, so report order does not depend on the locale. */
export function compareText(a: string, b: string): number {
  if (a < b) {
    return -1;
  }
  return a > b ? 1 : 0;
}
