import type { NormalizedEvent } from '../../contracts/index.ts';
import type { Bundle } from '../bundle/index.ts';
import { ONE_PART, digestBase, digestPart, eventData } from './data.ts';
import { createFormatters } from './format.ts';
import { TemplateCompiler } from './receiver.ts';
import { sampleEvent } from './sample.ts';

const CONTENT_MSGTYPES: readonly string[] = ['text', 'markdown', 'markdown_v2'];

/**
 * Checks a receiver's full-body template by rendering it for the sample event and for a two-event digest: it must
 * compile, run, and produce a WeCom body (valid JSON, a known msgtype, non-empty content). A body whose msgtype has
 * content must use the receiver's msgtype, because values are escaped for that msgtype's markup. Returns the
 * problem, or null when the template is fine or the receiver has no body template.
 */
export function checkBodyTemplate(bundle: Bundle, receiverName: string): string | null {
  const receiver = bundle.receivers[receiverName];
  if (!receiver?.bodyTemplate) return null;
  const sample = sampleEvent();
  const fmt = createFormatters(bundle.timezone, () => Date.parse(sample.lastSeen!) + 60_000);
  const other: NormalizedEvent = {
    ...sample,
    type: 'Normal',
    reason: 'Pulled',
    message: 'Container image "registry.example.com/pay/api:v1.2.3" already present on machine\n\\ok',
  };
  try {
    const producer = new TemplateCompiler(bundle).receiver(receiverName).single;
    const digest = digestBase([sample, other], { namespace: 'pay' }, fmt);
    const cases = [eventData(sample, fmt), eventData(other, fmt), digestPart(digest, 0, 2, ONE_PART)];
    for (const data of cases) {
      const draft = producer.produce(data);
      if (CONTENT_MSGTYPES.includes(draft.msgtype) && draft.msgtype !== receiver.msgtype) {
        return `body template renders msgtype "${draft.msgtype}" but the receiver's msgtype is "${receiver.msgtype}"; set msgtype to "${draft.msgtype}" so event text is escaped for it`;
      }
    }
    return null;
  } catch (err) {
    return `body template ${JSON.stringify(receiver.bodyTemplate)}: ${(err as Error).message}`;
  }
}
