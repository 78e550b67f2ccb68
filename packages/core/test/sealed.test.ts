import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { seal, sealedBody, trustSealed } from '../src/util/sealed.ts';

const ZPage = z.object({ items: z.array(z.object({ id: z.string(), n: z.number() })) });

describe('sealed values', () => {
  it('seal validates, strips unknown keys as output validation would, freezes, and keeps the JSON bytes', () => {
    const page = seal(ZPage, { items: [{ id: 'a', n: 1, extra: true } as { id: string; n: number }] });
    expect(page).toEqual({ items: [{ id: 'a', n: 1 }] });
    expect(Object.isFrozen(page)).toBe(true);
    expect(Object.isFrozen(page.items[0])).toBe(true);
    expect(() => (page.items as unknown as unknown[]).push({})).toThrow();
    expect(sealedBody(page)?.toString()).toBe(JSON.stringify({ items: [{ id: 'a', n: 1 }] }));
  });

  it('seal refuses a value its schema rejects, and seals nothing', () => {
    expect(() => seal(ZPage, { items: [{ id: 1, n: 'x' }] } as never)).toThrow();
    expect(sealedBody({ items: [] })).toBeUndefined();
    expect(sealedBody(null)).toBeUndefined();
    expect(sealedBody('text')).toBeUndefined();
  });

  it('trustSealed lets a value sealed against that schema through as is, and validates everything else', async () => {
    const out = trustSealed(ZPage);
    const page = seal(ZPage, { items: [{ id: 'a', n: 1 }] });
    expect(out.parse(page)).toBe(page);
    expect(await out.parseAsync(page)).toBe(page);
    // Not sealed: validated (and copied) in full.
    const plain = { items: [{ id: 'b', n: 2, extra: 1 }] };
    expect(out.parse(plain)).toEqual({ items: [{ id: 'b', n: 2 }] });
    expect(out.parse(plain)).not.toBe(plain);
    expect(() => out.parse({ items: [{ id: 3 }] })).toThrow();
    await expect(out.parseAsync({ items: 'no' })).rejects.toThrow();
  });

  it('a value sealed against another schema gets no pass', () => {
    const ZLoose = z.object({ items: z.array(z.unknown()) });
    const other = seal(ZLoose, { items: [{ id: 5 }] });
    expect(() => trustSealed(ZPage).parse(other)).toThrow();
  });
});
