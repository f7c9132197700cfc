/**
 * One-line errors for a serial port or TAP device that would not open,
 * with the hint that fits the cause: the OS's reason is said once (the
 * serial bindings repeat the path inside their message) and the advice
 * follows from it — root only when permission was the problem, "in use"
 * when another process holds the device.
 */

/** The OS's reason inside a link's "cannot open ..." message. */
function reason(message: string, path: string): string {
  let m = message.replace(/^cannot open (TAP )?\S+: /, "").replace(/^Error: /, "");
  const tail = `, cannot open ${path}`;
  if (m.endsWith(tail)) m = m.slice(0, -tail.length);
  return m.trim();
}

/** The error to show for a serial port that failed to open. */
export function serialOpenError(path: string, e: Error): Error {
  const why = reason(e.message, path);
  let hint = "check the path and that nothing else holds the port";
  if (/no such file/i.test(why)) hint = "check the path (is the board plugged in? a socat pty pair still running?)";
  else if (/permission denied/i.test(why)) hint = "add your user to the group owning the port (often dialout) or run with sudo";
  else if (/lock|busy|temporarily unavailable/i.test(why)) hint = "another program holds the port; close it first";
  return new Error(`cannot open ${path}: ${why}; ${hint}`);
}

/** The error to show for a TAP device that failed to open. */
export function tapOpenError(name: string, e: Error): Error {
  const why = reason(e.message, name);
  let hint = "";
  if (/not permitted|permission denied/i.test(why)) hint = "; TAP devices need root (or CAP_NET_ADMIN)";
  else if (/busy/i.test(why)) hint = `; another process holds TAP ${name} (another sim or bridge?): stop it or pick another --tap name`;
  else if (/no such file/i.test(why)) hint = "; /dev/net/tun is missing: load the tun module (modprobe tun)";
  else if (/cannot start the TAP helper/.test(why)) hint = "; the TAP helper needs python3";
  return new Error(`cannot open TAP ${name}: ${why}${hint}`);
}
