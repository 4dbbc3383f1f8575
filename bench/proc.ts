/**
 * CPU time of a process or thread from Linux's /proc (bench helpers; not used by the services).
 */

/**
 * User and system CPU time in a `/proc/<pid>/stat` or `/proc/<pid>/task/<tid>/stat` text, seconds (utime and stime,
 * fields 14 and 15, counted in clock ticks of USER_HZ = 100). The command name in parentheses may hold spaces, so
 * fields are counted after its closing parenthesis.
 */
export function statCpuSeconds(stat: string): { user: number; system: number } {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(f[11]) / 100, system: Number(f[12]) / 100 };
}

/**
 * CPU time of a process's waited-for children in a `/proc/<pid>/stat` text, seconds (cutime and cstime, fields 16 and
 * 17, clock ticks of USER_HZ = 100): a child's time is added when it exits and its parent reaps it.
 */
export function statChildrenCpuSeconds(stat: string): { user: number; system: number } {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(f[13]) / 100, system: Number(f[14]) / 100 };
}

/** The command name (`comm`, e.g. the thread name `MainThread`) in a `/proc/.../stat` text. */
export function statComm(stat: string): string {
  return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
}
