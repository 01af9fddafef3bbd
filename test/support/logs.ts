/** A pino destination that keeps JSON lines for assertions. */
export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

export class LogCapture {
  readonly raw: string[] = [];

  write(chunk: string): void {
    for (const line of chunk.split('\n')) if (line.trim() !== '') this.raw.push(line);
  }

  get lines(): LogLine[] {
    return this.raw.map((line) => JSON.parse(line) as LogLine);
  }

  /** Lines whose fields include all of `fields`. */
  where(fields: Record<string, unknown>): LogLine[] {
    return this.lines.filter((line) => Object.entries(fields).every(([k, v]) => line[k] === v));
  }

  summary(): LogLine {
    const found = this.lines.filter((l) => l['event'] === 'summary');
    if (found.length !== 1) throw new Error(`expected one summary line, found ${found.length}`);
    return found[0]!;
  }
}
