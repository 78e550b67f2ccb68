/**
 * Copies text to the clipboard. The Clipboard API exists only on secure origins (https, localhost),
 * and a self-hosted server is often reached over plain http on a LAN address: there the older
 * execCommand('copy') on a selected, off-screen textarea still works from a click.
 * Answers whether the text reached the clipboard.
 */
export async function copyText(text: string): Promise<boolean> {
  if (typeof navigator !== 'undefined' && navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission refused or the document is not focused: try the older way.
    }
  }
  const active = document.activeElement as HTMLElement | null;
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.top = '0';
  area.style.left = '-9999px';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  } finally {
    area.remove();
    active?.focus({ preventScroll: true });
  }
  return ok;
}
