/**
 * Ending the command's process. process.exit() drops whatever is still
 * queued for a pipe that was full (the reader slower than the output), so
 * the last lines, a summary among them, would be lost; waiting for every
 * handle to close instead lets a busy child (a TAP relay writing a flood's
 * backlog) hold the exit. So: exit once stdout and stderr have drained, or
 * after `waitMs` for a reader that has stopped reading altogether.
 */
export async function exitWhenFlushed(code: number, waitMs = 2000): Promise<never> {
  const flushed = (stream: NodeJS.WriteStream) => new Promise<void>((resolve) => stream.write("", () => resolve()));
  await Promise.race([Promise.all([flushed(process.stdout), flushed(process.stderr)]), new Promise((resolve) => setTimeout(resolve, waitMs))]);
  process.exit(code);
}
