// Memory of a backend's whole process group, read from /proc (npx/uvx wrappers and their children included).
import fs from 'node:fs';

/** Sum of RSS (bytes) over every live process whose process group is pgid; 0 where /proc is unavailable. */
export function groupRss(pgid: number): number {
  let total = 0;
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const name of names) {
    if (name.charCodeAt(0) > 57) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      total += Number(fields[21]) * 4096;
    } catch {
      // exited meanwhile
    }
  }
  return total;
}
