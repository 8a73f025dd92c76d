import { describe, it } from 'node:test';
import { WECOM_APP_ESCAPERS } from '../../../../functions/channels/wecom-app/index.ts';
import { assertNeutralizes, markdownSyntax, tagSyntax } from '../../../helpers/markup.ts';

describe('WeCom application escaping of event text', () => {
  it('leaves no <a href> tag and no unsafe character in text (property)', () => {
    assertNeutralizes(WECOM_APP_ESCAPERS.text, [tagSyntax]);
  });

  it('leaves no markdown and no unsafe character in markdown (property)', () => {
    assertNeutralizes(WECOM_APP_ESCAPERS.markdown, [markdownSyntax]);
  });
});
