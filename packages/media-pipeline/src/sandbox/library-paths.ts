import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';

/** What a binary needs mounted to start: library directories and the symlinks that lead into them. */
export interface LibraryMounts {
  /** `true` for a statically linked binary (needs nothing but itself). */
  static: boolean;
  /** Directories to mount read-only (canonical paths, none inside another). */
  dirs: string[];
  /** Symlinks to recreate (`/lib` → `usr/lib`, Debian's `/etc/alternatives/libblas…` → the real file). */
  symlinks: Array<{ path: string; target: string }>;
  /** Single files to mount read-only (`/etc/ld.so.cache`). */
  files: string[];
}

const cache = new Map<string, LibraryMounts>();

/**
 * Reads the shared libraries of `binary` with `ldd` (once per binary) and returns the directories that hold
 * them plus every symlink on the way from the name the loader looks up to the real file. A static binary
 * needs none. When `ldd` cannot tell, the host's `/usr`, `/lib*` are mounted instead (broader, still read-only).
 */
export function libraryMounts(binary: string): LibraryMounts {
  const hit = cache.get(binary);
  if (hit) return hit;
  const mounts = readMounts(binary);
  cache.set(binary, mounts);
  return mounts;
}

function readMounts(binary: string): LibraryMounts {
  let out: string;
  try {
    out = execFileSync('ldd', [binary], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: {} });
  } catch (error) {
    const text = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
    if (/not a dynamic executable|statically linked/.test(text)) {
      return { static: true, dirs: [], symlinks: [], files: [] };
    }
    return fallbackMounts();
  }
  if (/statically linked/.test(out)) return { static: true, dirs: [], symlinks: [], files: [] };
  // "libx.so.1 => /lib/x86_64-linux-gnu/libx.so.1 (0x…)" and "/lib64/ld-linux-x86-64.so.2 (0x…)"
  const libs = [...out.matchAll(/(?:=>\s+|^\s+)(\/\S+)\s+\(0x/gm)].map((m) => m[1] ?? '');
  if (libs.length === 0 || out.includes('not found')) return fallbackMounts();
  const real = libs.map((l) => realpathSync(l));
  const dirs = outermost([...new Set(real.map((r) => dirname(r)))]);
  const symlinks = new Map<string, string>();
  for (const lib of libs) {
    for (const hop of symlinkHops(lib)) {
      if (!dirs.some((d) => isInside(hop.path, d))) symlinks.set(hop.path, hop.target);
    }
  }
  const files = existsSync('/etc/ld.so.cache') ? ['/etc/ld.so.cache'] : [];
  return {
    static: false,
    dirs,
    symlinks: [...symlinks].map(([path, target]) => ({ path, target })),
    files,
  };
}

function fallbackMounts(): LibraryMounts {
  const dirs: string[] = [];
  const symlinks: Array<{ path: string; target: string }> = [];
  for (const top of ['/usr', '/lib', '/lib32', '/lib64', '/libx32']) {
    try {
      const st = lstatSync(top);
      if (st.isSymbolicLink()) symlinks.push({ path: top, target: readlinkSync(top) });
      else if (st.isDirectory()) dirs.push(top);
    } catch {
      // absent on this host
    }
  }
  return { static: false, dirs, symlinks, files: [] };
}

/**
 * Every symlink met while resolving `path` one component at a time, each with a canonical parent directory:
 * `/lib/x86_64-linux-gnu/libblas.so.3` gives `/lib → usr/lib`, then
 * `/usr/lib/x86_64-linux-gnu/libblas.so.3 → /etc/alternatives/…`, then `/etc/alternatives/… → …/blas/…`.
 */
export function symlinkHops(path: string): Array<{ path: string; target: string }> {
  const hops: Array<{ path: string; target: string }> = [];
  let pending = resolve(path).split(sep).filter(Boolean);
  let current = '/';
  for (let guard = 0; pending.length > 0 && guard < 256; guard += 1) {
    const [name, ...rest] = pending;
    const next = join(current, name ?? '');
    let isLink = false;
    try {
      isLink = lstatSync(next).isSymbolicLink();
    } catch {
      return hops;
    }
    if (!isLink) {
      current = next;
      pending = rest;
      continue;
    }
    const target = readlinkSync(next);
    hops.push({ path: next, target });
    const resolved = isAbsolute(target) ? resolve(target) : resolve(current, target);
    pending = [...resolved.split(sep).filter(Boolean), ...rest];
    current = '/';
  }
  return hops;
}

/** Keeps only directories that are not inside another one of the list. */
function outermost(dirs: string[]): string[] {
  return dirs.filter((d) => !dirs.some((other) => other !== d && isInside(d, other)));
}

/** Whether `path` is `dir` or below it. */
export function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}
