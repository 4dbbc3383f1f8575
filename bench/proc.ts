/**
 * CPU time of a process or thread from Linux's /proc (bench helpers; not used by the services).
 */

/**
 * Two fields of a `/proc/.../stat` text as seconds (they count clock ticks of USER_HZ = 100). `field` is the 1-based
 * field number of proc(5); the command name in parentheses may hold spaces, so fields are counted after its closing
 * parenthesis (the first field after it is field 3).
 */
function tickFieldsSeconds(stat: string, field: number): { user: number; system: number } {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(f[field - 3]) / 100, system: Number(f[field - 2]) / 100 };
}

/** User and system CPU time in a `/proc/<pid>/stat` or `/proc/<pid>/task/<tid>/stat` text, seconds (utime, stime). */
export function statCpuSeconds(stat: string): { user: number; system: number } {
  return tickFieldsSeconds(stat, 14);
}

/**
 * CPU time of a process's waited-for children in a `/proc/<pid>/stat` text, seconds (cutime, cstime): a child's time
 * is added when it exits and its parent reaps it.
 */
export function statChildrenCpuSeconds(stat: string): { user: number; system: number } {
  return tickFieldsSeconds(stat, 16);
}

/** The command name (`comm`, e.g. the thread name `MainThread`) in a `/proc/.../stat` text. */
export function statComm(stat: string): string {
  return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
}
