import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeDingtalkMarkdown, escapeDingtalkText } from '../../../../functions/channels/dingtalk/index.ts';
import { assertNeutralizes, atSign, markdownSyntax } from '../../../helpers/markup.ts';

describe('DingTalk escaping of event text', () => {
  it('leaves no @ and no unsafe character in text content (property)', () => {
    assertNeutralizes(escapeDingtalkText, [atSign]);
  });

  it('leaves no markdown, no @ and no unsafe character in markdown content (property)', () => {
    assertNeutralizes(escapeDingtalkMarkdown, [markdownSyntax, atSign]);
  });

  it('keeps text readable with look-alikes', () => {
    assert.equal(escapeDingtalkText('mail ops@example.com [x](y)'), 'mail ops＠example.com [x](y)');
    assert.equal(escapeDingtalkMarkdown('# [x](http://e) @all'), '＃ ［x］(http://e) ＠all');
  });
});
