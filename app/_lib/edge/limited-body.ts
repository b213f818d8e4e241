import { AppError } from "@/lib/errors/app-error";

// Past its limit a body is read to the end and thrown away rather than cancelled: cancelling the
// stream makes the server drop the connection, and the client sees a reset instead of the 413.
// Beyond this much the sender is abusive and is cut off.
export const DRAIN_MAX_BYTES = Number(process.env.TANDEM_DRAIN_MAX_BYTES ?? 1024 * 1024 * 1024);

/** A request body read in bytes, never past maxBytes held in memory. */
export class LimitedBody {
  private reader?: ReadableStreamDefaultReader<Uint8Array>;
  private ended = false;

  constructor(
    private readonly req: Request,
    readonly maxBytes: number,
    private readonly what: string,
    private readonly hint = "",
  ) {}

  tooLarge(): AppError {
    return new AppError(
      "TOO_LARGE",
      `${this.what} is larger than the limit of ${this.maxBytes} bytes${this.hint ? `; ${this.hint}` : ""}`,
      { limitBytes: this.maxBytes },
    );
  }

  /** Refuses at once when the declared length is over the limit. */
  checkDeclared(): void {
    const declared = Number(this.req.headers.get("content-length") ?? "0");
    if (declared > this.maxBytes) throw this.tooLarge();
  }

  private read(): Promise<ReadableStreamReadResult<Uint8Array>> {
    this.reader ??= this.req.body!.getReader();
    return this.reader.read();
  }

  /** The body chunk by chunk; throws TOO_LARGE once the running total passes the limit. */
  async *chunks(): AsyncGenerator<Uint8Array> {
    this.checkDeclared();
    if (!this.req.body) return;
    let size = 0;
    while (!this.ended) {
      const { done, value } = await this.read();
      if (done) {
        this.ended = true;
        break;
      }
      size += value.length;
      if (size > this.maxBytes) throw this.tooLarge();
      yield value;
    }
  }

  async buffer(): Promise<Buffer> {
    const parts: Uint8Array[] = [];
    for await (const c of this.chunks()) parts.push(c);
    return Buffer.concat(parts);
  }

  /** Reads and discards whatever the handler left unread, so the answer reaches the client. */
  async drain(): Promise<void> {
    if (this.ended || !this.req.body) return;
    let drained = 0;
    try {
      if (!this.reader && this.req.body.locked) return;
      for (;;) {
        const { done, value } = await this.read();
        if (done) break;
        drained += value.length;
        if (drained > DRAIN_MAX_BYTES) {
          await this.reader!.cancel();
          break;
        }
      }
    } catch {
      // the client went away; nothing to answer
    } finally {
      this.ended = true;
    }
  }
}
