import { spawn } from 'node:child_process';

export const ffmpegPath = '/usr/bin/ffmpeg';
export const ffprobePath = '/usr/bin/ffprobe';

export class MediaToolError extends Error {
  constructor(
    message: string,
    readonly stderrTail: string,
  ) {
    super(message);
    this.name = 'MediaToolError';
  }
}

const stderrTailBytes = 4_096;

export interface RunOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Called with each `-progress` block (key=value lines up to `progress=`). */
  onProgress?: (fields: Record<string, string>) => void;
  /** Largest stdout kept (ffprobe JSON); beyond it the tool is stopped. */
  maxStdoutBytes?: number;
}

/**
 * Runs a media tool with an argument array (never a shell), stopping it on abort or timeout, and keeping
 * only the tail of stderr so a failure can be explained without unbounded memory. With `onProgress`, stdout
 * is read as ffmpeg's `-progress pipe:1` stream; otherwise it is returned.
 */
export function runMediaTool(
  executable: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new MediaToolError('cancelled', ''));
    const child = spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    let pending = '';
    let block: Record<string, string> = {};
    let stopReason: string | undefined;
    const stop = (reason: string) => {
      stopReason ??= reason;
      child.kill('SIGKILL');
    };
    const onAbort = () => stop('cancelled');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = options.timeoutMs ? setTimeout(() => stop('timed out'), options.timeoutMs) : undefined;

    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-stderrTailBytes);
    });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (!options.onProgress) {
        stdout += chunk;
        if (stdout.length > (options.maxStdoutBytes ?? 4_194_304)) stop('produced too much output');
        return;
      }
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const eq = line.indexOf('=');
        if (eq < 0) continue;
        const key = line.slice(0, eq).trim();
        block[key] = line.slice(eq + 1).trim();
        if (key === 'progress') {
          options.onProgress(block);
          block = {};
        }
      }
    });
    child.on('error', (error) => {
      cleanup();
      reject(new MediaToolError(`could not start ${executable}: ${error.message}`, ''));
    });
    child.on('close', (code, signal) => {
      cleanup();
      if (stopReason) return reject(new MediaToolError(stopReason, stderr));
      if (code === 0) return resolve(stdout);
      reject(new MediaToolError(`exited with ${code ?? signal}`, stderr));
    });
    function cleanup() {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  });
}

/** The last meaningful stderr line, without paths (they are the server's, not the uploader's business). */
export function readableToolError(error: MediaToolError): string {
  const lines = error.stderrTail
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const last = lines.at(-1)?.replace(/\/[^\s:]+/g, '<file>');
  return last ? `${error.message}: ${last}` : error.message;
}
