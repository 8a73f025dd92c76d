/** A template that cannot be compiled or rendered, naming the receiver and template so an operator can fix it. */
export class RenderError extends Error {
  override readonly name = 'RenderError';
  constructor(
    message: string,
    readonly receiver: string,
    readonly template: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
