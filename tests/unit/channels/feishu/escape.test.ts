import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeFeishuMarkdown, escapeFeishuPlain } from '../../../../functions/channels/feishu/index.ts';
import { assertNeutralizes, markdownSyntax, tagSyntax } from '../../../helpers/markup.ts';

describe('Feishu escaping of event text', () => {
  it('leaves no <at>, no markdown and no unsafe character in text and lark_md (property)', () => {
    assertNeutralizes(escapeFeishuMarkdown, [tagSyntax, markdownSyntax]);
  });

  it('leaves no tag and no unsafe character in post text (property)', () => {
    assertNeutralizes(escapeFeishuPlain, [tagSyntax]);
  });

  it('turns a mention of everyone into inert look-alike text', () => {
    assert.equal(escapeFeishuMarkdown('<at user_id="all"></at>'), '＜at user_id="all"＞＜/at＞');
    assert.equal(escapeFeishuPlain('<at user_id="all"></at>'), '＜at user_id="all"＞＜/at＞');
  });
});
