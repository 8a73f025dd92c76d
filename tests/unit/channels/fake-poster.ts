import type { HttpOutcome, HttpPoster, HttpRequest } from '../../../functions/channels/delivery/index.ts';

/** A poster that answers with `outcomes` in order and keeps every request, for client tests without a network. */
export function fakePoster(...outcomes: HttpOutcome[]): { poster: HttpPoster; requests: HttpRequest[] } {
  const requests: HttpRequest[] = [];
  const poster: HttpPoster = async (request) => {
    requests.push(request);
    const outcome = outcomes.shift();
    if (!outcome) throw new Error('the fake poster ran out of answers');
    return outcome;
  };
  return { poster, requests };
}

/** An HTTP answer with a JSON body. */
export function answer(data: unknown, status = 200, retryAfterSeconds?: number): HttpOutcome {
  return { kind: 'answer', status, data, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
}

/** No answer: the connection failed (`timedOut: false`) or our timer fired, by default after the request went out. */
export function noAnswer(code: string, timedOut = false, sent = timedOut): HttpOutcome {
  return { kind: 'no-answer', code, message: `${code} from the fake poster`, timedOut, sent };
}
