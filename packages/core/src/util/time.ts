export const iso = (d: Date): string => d.toISOString();

/**
 * Newest first by an ISO time, ties broken by id (descending): the order of every Flow Relay list,
 * so that rows merged or sorted in JS line up with what the indexes give.
 */
export const newestFirst =
  <T extends { id: string }>(at: (x: T) => string) =>
  (a: T, b: T): number => {
    const ta = at(a);
    const tb = at(b);
    return ta < tb ? 1 : ta > tb ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
  };
