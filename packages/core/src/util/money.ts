/** Credits and money are stored as integer micro-units and rendered as decimal strings. */
export const MICROS = 1_000_000;

export function formatMicros(micros: number): string {
  const negative = micros < 0;
  const abs = Math.abs(Math.trunc(micros));
  const whole = Math.floor(abs / MICROS);
  let frac = String(abs % MICROS).padStart(6, '0').replace(/0+$/, '');
  if (frac.length < 2) frac = frac.padEnd(2, '0');
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

export function parseToMicros(value: string | number): number {
  const s = typeof value === 'number' ? value.toFixed(6) : value.trim();
  const m = /^(-)?(\d+)(?:\.(\d{1,6}))?$/.exec(s);
  if (!m) throw new Error(`not a decimal amount: ${value}`);
  const micros = Number(m[2]) * MICROS + Number((m[3] ?? '').padEnd(6, '0'));
  return m[1] ? -micros : micros;
}
