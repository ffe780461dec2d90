// A segment rule as a sentence in the user's language, under the builder and on the segment page.
import { Typography } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Condition, Page, Segment } from '../../api/types';
import { useFormat } from '../../i18n/format';
import { summariseRule } from './ruleSummary';

export function RuleSummary({ root }: { root: Condition }) {
  const { t } = useTranslation();
  const fmt = useFormat();
  // Segment conditions are said with the segment's name (the list the rule builder reads too).
  const segments = useQuery({ queryKey: ['segments'], queryFn: () => api.get<Page<Segment>>('/v1/segments') });
  const names = new Map((segments.data?.data ?? []).map((s) => [s.id, s.name]));
  let text: string;
  try {
    text = summariseRule(root, { t, number: (n) => fmt.number(n, 6), segmentName: (id) => names.get(id) });
  } catch {
    // A rule still being typed in the JSON editor may not have the shape of one yet.
    return null;
  }
  return (
    <Typography.Paragraph data-testid="rule-summary" style={{ background: 'rgba(0,0,0,.03)', padding: '8px 12px', borderRadius: 6, marginTop: 12 }}>
      <Typography.Text type="secondary">{t('ruleSummary.title')}: </Typography.Text>
      {text}
    </Typography.Paragraph>
  );
}
