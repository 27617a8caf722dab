// Process facts from /proc (Linux): which extension hosts belong to THIS run's code-server (other
// jobs on the machine may run their own), and CPU times read only from a process checked alive.

import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_S = 100; // USER_HZ on Linux

/** Fields of /proc/PID/stat after the command name (field 3 is index 0), or undefined once the process is gone. */
function statFields(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function allPids() {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number);
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid) {
  const f = statFields(pid);
  return f !== undefined && f[0] !== 'Z' && f[0] !== 'X';
}

/** Every live descendant of `rootPid` (children, grandchildren, …). */
export function descendants(rootPid) {
  const parent = new Map();
  for (const pid of allPids()) {
    const f = statFields(pid);
    if (f) parent.set(pid, Number(f[1]));
  }
  const out = [];
  for (const pid of parent.keys()) {
    for (let p = parent.get(pid); p && p > 1; p = parent.get(p)) {
      if (p === rootPid) {
        out.push(pid);
        break;
      }
    }
  }
  return out;
}

/** Extension host processes (`--type=extensionHost`) started by the code-server process `rootPid`, alive now. */
export function extensionHostPids(rootPid) {
  return descendants(rootPid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=extensionHost') && isAlive(pid);
    } catch {
      return false; // ended meanwhile
    }
  });
}

/** User + system CPU seconds of a process, or undefined when it is gone (fields 14 and 15 of stat). */
export function cpuSeconds(pid) {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) / TICKS_PER_S : undefined;
}
