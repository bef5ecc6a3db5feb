const NOT_A_TERMINAL_EVERY_MS = 5_000

export const formatNumber = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

export function formatDuration (seconds: number): string {
  if (!Number.isFinite(seconds)) return '?'
  const whole = Math.round(seconds)
  return whole < 60 ? `${whole}s` : `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`
}

/** Where we are, how fast, and when it will end, on stderr: redrawn in place on a terminal, a line every few seconds in a log. */
export class Progress {
  private readonly startedAt = performance.now()
  private lastLineAt = 0

  constructor (private readonly label: string, private readonly total: number, private readonly unit: string) {}

  update (done: number, extra = ''): void {
    const now = performance.now()
    const elapsed = (now - this.startedAt) / 1000
    const rate = done / elapsed
    const line = `${this.label}: ${formatNumber(done)}/${formatNumber(this.total)} ${this.unit} (${Math.floor((100 * done) / this.total)}%)` +
      `, ${formatNumber(rate)}/s, ${formatDuration(elapsed)} elapsed, ETA ${formatDuration((this.total - done) / rate)}${extra === '' ? '' : `, ${extra}`}`
    if (process.stderr.isTTY) {
      process.stderr.write(`\r\x1b[2K${line}`)
    } else if (now - this.lastLineAt >= NOT_A_TERMINAL_EVERY_MS || done === this.total) {
      process.stderr.write(`${line}\n`)
      this.lastLineAt = now
    }
  }

  done (): void {
    if (process.stderr.isTTY) process.stderr.write('\n')
  }
}
