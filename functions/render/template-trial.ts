import type { NormalizedEvent } from '../../contracts/index.ts';
import type { Bundle } from '../bundle/index.ts';
import { BUILTIN_SOURCES } from './builtins.ts';
import { RenderError } from './errors.ts';
import { ONE_PART, digestBase, digestPart, eventData } from './data.ts';
import { createFormatters } from './format.ts';
import type { Producer } from './producers.ts';
import { TemplateCompiler } from './receiver.ts';
import { sampleEvent } from './sample.ts';

const CONTENT_MSGTYPES: readonly string[] = ['text', 'markdown', 'markdown_v2'];

/** A template that failed its trial render: the receiver field naming it and why. */
export interface TemplateTrialProblem {
  field: 'template' | 'digestTemplate' | 'bodyTemplate';
  message: string;
}

/**
 * Renders a receiver's own templates (not the built-ins) for the sample event, a second event whose message holds
 * a backslash and a newline, and a digest of both, each render under the runtime's time limit. A template that
 * throws (`it.raw.nope.deeper`), runs past the limit (`while (true) {}`) or renders no usable message would fall
 * back to the built-in on every event at run time; `validate` refuses it instead. A full-body template must also
 * produce a WeCom body, and one whose msgtype has content must use the receiver's msgtype, because values are
 * escaped for that msgtype's markup.
 */
export function trialRenderTemplates(bundle: Bundle, receiverName: string): TemplateTrialProblem[] {
  const receiver = bundle.receivers[receiverName];
  if (!receiver) return [];
  const sample = sampleEvent();
  const fmt = createFormatters(bundle.timezone, () => Date.parse(sample.lastSeen!) + 60_000);
  const other: NormalizedEvent = {
    ...sample,
    type: 'Normal',
    reason: 'Pulled',
    message: 'Container image "registry.example.com/pay/api:v1.2.3" already present on machine\n\\ok',
  };
  const singles = [eventData(sample, fmt), eventData(other, fmt)];
  const digest = digestPart(digestBase([sample, other], { namespace: 'pay' }, fmt), 0, 2, ONE_PART);
  let compiled;
  try {
    compiled = new TemplateCompiler(bundle).receiver(receiverName);
  } catch (err) {
    const template = err instanceof RenderError ? err.template : undefined;
    const field =
      template === receiver.digestTemplate
        ? 'digestTemplate'
        : receiver.bodyTemplate
          ? 'bodyTemplate'
          : 'template';
    return [{ field, message: (err as Error).message }];
  }
  const trial = (
    field: TemplateTrialProblem['field'],
    name: string | undefined,
    producer: Producer,
    cases: object[],
  ): TemplateTrialProblem[] => {
    if (name === undefined || Object.hasOwn(BUILTIN_SOURCES, name)) return [];
    try {
      for (const data of cases) {
        const draft = producer.produce(data);
        if (
          field === 'bodyTemplate' &&
          CONTENT_MSGTYPES.includes(draft.msgtype) &&
          draft.msgtype !== receiver.msgtype
        ) {
          return [
            {
              field,
              message: `body template renders msgtype "${draft.msgtype}" but the receiver's msgtype is "${receiver.msgtype}"; set msgtype to "${draft.msgtype}" so event text is escaped for it`,
            },
          ];
        }
      }
      return [];
    } catch (err) {
      const kind = field === 'bodyTemplate' ? 'body template' : 'template';
      return [
        {
          field,
          message: `${kind} ${JSON.stringify(name)} fails on the sample events: ${(err as Error).message}`,
        },
      ];
    }
  };
  if (receiver.bodyTemplate !== undefined) {
    return trial('bodyTemplate', receiver.bodyTemplate, compiled.single, [...singles, digest]);
  }
  return [
    ...trial('template', receiver.template, compiled.single, singles),
    ...trial('digestTemplate', receiver.digestTemplate, compiled.digest, [digest]),
  ];
}
