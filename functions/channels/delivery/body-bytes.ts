/**
 * UTF-8 bytes of a body as the clients send it (`JSON.stringify`): what `request body` limits count. JSON escaping
 * counts too: a newline in the content takes 2 bytes here, a control character 6.
 */
export function requestBodyBytes(body: object): number {
  return Buffer.byteLength(JSON.stringify(body), 'utf8');
}
