/** A patch `git apply` accepts, making symlinks (mode 120000), executables (100755) or files (100644) in a workspace. */
export function patchCreating(files: Array<{ path: string; mode: '120000' | '100755' | '100644'; content: string }>): string {
  return (
    files
      .map((f) => {
        const lines = f.content.split('\n');
        return [
          `diff --git a/${f.path} b/${f.path}`,
          `new file mode ${f.mode}`,
          '--- /dev/null',
          `+++ b/${f.path}`,
          `@@ -0,0 +1,${lines.length} @@`,
          ...lines.map((l) => `+${l}`),
          // A symlink's content is its target, with no trailing newline.
          ...(f.mode === '120000' ? ['\\ No newline at end of file'] : []),
        ].join('\n');
      })
      .join('\n') + '\n'
  );
}
