/** A one-line progress bar on stderr (only when it is a terminal; otherwise a line at the end). */
export function progress(label: string, total: number) {
  const tty = process.stderr.isTTY;
  let done = 0;
  let last = 0;
  const draw = () => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
  };
  return {
    tick(n = 1) {
      done += n;
      const now = Date.now();
      if (tty && (now - last > 100 || done === total)) {
        last = now;
        draw();
      }
    },
    done() {
      if (tty) process.stderr.write('\n');
      else process.stderr.write(`${label}: ${done}/${total}\n`);
    },
  };
}
