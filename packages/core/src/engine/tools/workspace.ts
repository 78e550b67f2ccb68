import { lstat, mkdir, readFile, readdir, realpath, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ToolArgumentError } from './tool.ts';

/**
 * Resolves a workspace-relative path, refusing anything that would leave the workspace: absolute
 * paths, `..` segments, and symlinks that point outside (checked on the real path).
 */
export async function resolveInWorkspace(workspace: string, path: string): Promise<string> {
  if (path.includes('\0')) throw new ToolArgumentError('path contains a NUL byte');
  if (isAbsolute(path)) throw new ToolArgumentError(`path "${path}" is absolute; paths are relative to the workspace`);
  const target = resolve(workspace, path);
  const rel = relative(workspace, target);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw new ToolArgumentError(`path "${path}" leaves the workspace`);
  // Follow symlinks on the longest existing prefix and check again.
  let probe = target;
  for (;;) {
    try {
      const real = await realpath(probe);
      const realWs = await realpath(workspace);
      const r = relative(realWs, real);
      if (r === '..' || r.startsWith(`..${sep}`) || isAbsolute(r)) throw new ToolArgumentError(`path "${path}" leaves the workspace through a link`);
      break;
    } catch (e) {
      if (e instanceof ToolArgumentError) throw e;
      const parent = dirname(probe);
      if (parent === probe) break;
      probe = parent;
    }
  }
  return target;
}

export async function ensureWorkspace(workspace: string): Promise<void> {
  await mkdir(workspace, { recursive: true });
}

export async function listFiles(workspace: string, start: string, limit = 500): Promise<{ files: string[]; truncated: boolean }> {
  const root = await resolveInWorkspace(workspace, start || '.');
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (files.length >= limit) return;
      if (e.name === '.git' || e.name === 'node_modules') continue;
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) files.push(relative(workspace, full));
    }
  };
  await walk(root);
  return { files, truncated: files.length >= limit };
}

export async function readWorkspaceFile(workspace: string, path: string, maxBytes: number) {
  const full = await resolveInWorkspace(workspace, path);
  const st = await lstat(full).catch(() => null);
  if (!st?.isFile()) return { exists: false as const };
  const buf = await readFile(full);
  return { exists: true as const, content: buf.subarray(0, maxBytes).toString('utf8'), bytes: buf.length, truncated: buf.length > maxBytes };
}

export async function writeWorkspaceFile(workspace: string, path: string, content: string) {
  const full = await resolveInWorkspace(workspace, path);
  const previous = await lstat(full).then((s) => (s.isFile() ? s.size : null)).catch(() => null);
  await mkdir(dirname(full), { recursive: true });
  await writeFile(full, content);
  return { created: previous === null, bytes: Buffer.byteLength(content) };
}
