// The visual rule builder: every condition of the rule language (src/segments/rule-schema.ts) as
// form controls, nested groups with AND / OR / NOT. Produces the rule JSON the API validates.
import { Button, Card, Dropdown, Input, InputNumber, Select, Space, Tag, Typography } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import type { Condition, Duration, Page, PropertyFilter, Segment, Tag as TagSummary, Window } from '../../api/types';
import { KINDS, newCondition, NUMBER_OPS, parseValue, PREDICTION_TRAITS, RFM_SEGMENTS, UNITS, VALUE_OPS, valueText, withOp, type Kind, type ValueOp } from './rules';

type Change<T> = (next: T) => void;

export function RuleBuilder({ value, onChange }: { value: Condition; onChange: Change<Condition> }) {
  return <ConditionEditor value={value} onChange={onChange} depth={0} />;
}

function AddCondition({ onAdd }: { onAdd(kind: Kind): void }) {
  const { t } = useTranslation();
  return (
    <Dropdown trigger={['click']} menu={{ items: KINDS.map((k) => ({ key: k, label: t(`rule.kinds.${k}`) })), onClick: ({ key }) => onAdd(key as Kind) }}>
      <Button size="small" type="dashed" icon={<PlusOutlined />} data-testid="add-condition">
        {t('rule.add')}
      </Button>
    </Dropdown>
  );
}

function ConditionEditor({ value, onChange, onRemove, depth }: { value: Condition; onChange: Change<Condition>; onRemove?(): void; depth: number }) {
  const { t } = useTranslation();
  const remove = onRemove && <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t('rule.remove')} onClick={onRemove} />;
  if (value.type === 'and' || value.type === 'or') {
    const group = value;
    return (
      <Card size="small" style={{ background: depth % 2 ? '#fff' : '#fafbff', borderColor: '#d6dcf5' }} data-testid="rule-group">
        <Space style={{ marginBottom: 8 }}>
          <Select
            size="small"
            value={group.type}
            style={{ width: 210 }}
            aria-label={t('rule.combine')}
            onChange={(type: 'and' | 'or') => onChange({ ...group, type })}
            options={[
              { value: 'and', label: t('rule.all') },
              { value: 'or', label: t('rule.any') },
            ]}
          />
          {remove}
        </Space>
        <Space direction="vertical" style={{ width: '100%' }}>
          {group.conditions.map((c, i) => (
            <div key={i} style={{ display: 'flex', gap: 8, alignItems: 'flex-start' }}>
              {i > 0 && <Tag color={group.type === 'and' ? 'blue' : 'orange'}>{t(`rule.${group.type}`)}</Tag>}
              <div style={{ flex: 1, minWidth: 0 }}>
                <ConditionEditor
                  depth={depth + 1}
                  value={c}
                  onChange={(next) => onChange({ ...group, conditions: group.conditions.map((x, j) => (j === i ? next : x)) })}
                  onRemove={group.conditions.length > 1 ? () => onChange({ ...group, conditions: group.conditions.filter((_, j) => j !== i) }) : undefined}
                />
              </div>
            </div>
          ))}
          <AddCondition onAdd={(k) => onChange({ ...group, conditions: [...group.conditions, newCondition(k)] })} />
        </Space>
      </Card>
    );
  }
  if (value.type === 'not') {
    const not = value;
    return (
      <Card size="small" style={{ borderColor: '#ffccc7' }}>
        <Space style={{ marginBottom: 8 }}>
          <Tag color="red">{t('rule.kinds.not')}</Tag>
          {remove}
        </Space>
        <ConditionEditor depth={depth + 1} value={not.condition} onChange={(condition) => onChange({ ...not, condition })} />
      </Card>
    );
  }
  return (
    <Card size="small" data-testid={`condition-${value.type}`}>
      <div style={{ display: 'flex', gap: 8, alignItems: 'flex-start' }}>
        <Tag color="geekblue" style={{ marginTop: 4 }}>
          {t(`rule.kinds.${value.type}`)}
        </Tag>
        <div style={{ flex: 1, minWidth: 0 }}>
          <LeafEditor value={value} onChange={onChange} />
        </div>
        {remove}
      </div>
    </Card>
  );
}

function LeafEditor({ value, onChange }: { value: Condition; onChange: Change<Condition> }) {
  const { t } = useTranslation();
  switch (value.type) {
    case 'trait': {
      const c = value;
      return (
        <Space wrap>
          <Select
            size="small"
            value={c.source ?? 'traits'}
            style={{ width: 150 }}
            aria-label={t('rule.traitSource')}
            onChange={(source: 'traits' | 'computed') => onChange({ ...c, source })}
            options={[
              { value: 'traits', label: t('rule.traits') },
              { value: 'computed', label: t('rule.computedTraits') },
            ]}
          />
          <Input size="small" placeholder={t('rule.traitPath')} aria-label={t('rule.traitPath')} value={c.path} onChange={(e) => onChange({ ...c, path: e.target.value })} style={{ width: 180 }} />
          <ValueTestInputs test={c} onChange={(next) => onChange({ ...c, ...next } as Condition)} />
        </Space>
      );
    }
    case 'event': {
      const c = value;
      return (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Space wrap>
            <Select
              size="small"
              value={c.did === false ? 'no' : 'yes'}
              style={{ width: 140 }}
              aria-label={t('rule.did')}
              onChange={(v) => onChange({ ...c, did: v === 'no' ? false : undefined })}
              options={[
                { value: 'yes', label: t('rule.didPerform') },
                { value: 'no', label: t('rule.didNotPerform') },
              ]}
            />
            <Input size="small" placeholder={t('rule.eventName')} aria-label={t('rule.eventName')} value={c.event} onChange={(e) => onChange({ ...c, event: e.target.value })} style={{ width: 220 }} />
            <WindowInput value={c.window} onChange={(window) => onChange(patch(c, { window }))} />
          </Space>
          <Filters value={c.where ?? []} onChange={(where) => onChange(patch(c, { where: where.length ? where : undefined }))} />
          <Space wrap>
            <Select
              size="small"
              style={{ width: 200 }}
              value={c.aggregate ? 'aggregate' : c.count ? 'count' : 'any'}
              aria-label={t('rule.measure')}
              onChange={(m) =>
                onChange(
                  patch(c, {
                    count: m === 'count' ? { op: 'at_least', value: 2 } : undefined,
                    aggregate: m === 'aggregate' ? { fn: 'sum', property: '', op: 'gte', value: 100 } : undefined,
                  }),
                )
              }
              options={[
                { value: 'any', label: t('rule.atLeastOnce') },
                { value: 'count', label: t('rule.countIs') },
                { value: 'aggregate', label: t('rule.aggregateIs') },
              ]}
            />
            {c.count && (
              <>
                <Select
                  size="small"
                  style={{ width: 120 }}
                  value={c.count.op}
                  aria-label={t('rule.operator')}
                  onChange={(op) => onChange({ ...c, count: { ...c.count!, op } })}
                  options={(['at_least', 'at_most', 'exactly'] as const).map((o) => ({ value: o, label: t(`rule.count.${o}`) }))}
                />
                <InputNumber size="small" min={0} value={c.count.value} aria-label={t('rule.times')} onChange={(v) => onChange({ ...c, count: { ...c.count!, value: v ?? 0 } })} />
                <Typography.Text>{t('rule.times')}</Typography.Text>
              </>
            )}
            {c.aggregate && (
              <>
                <Select
                  size="small"
                  style={{ width: 110 }}
                  value={c.aggregate.fn}
                  aria-label={t('rule.function')}
                  onChange={(fn) => onChange({ ...c, aggregate: { ...c.aggregate!, fn } })}
                  options={(['sum', 'avg', 'min', 'max'] as const).map((f) => ({ value: f, label: t(`rule.fn.${f}`) }))}
                />
                <Input size="small" style={{ width: 140 }} placeholder={t('rule.property')} aria-label={t('rule.property')} value={c.aggregate.property} onChange={(e) => onChange({ ...c, aggregate: { ...c.aggregate!, property: e.target.value } })} />
                <NumberOp value={c.aggregate.op} onChange={(op) => onChange({ ...c, aggregate: { ...c.aggregate!, op } })} />
                <InputNumber size="small" value={c.aggregate.value} aria-label={t('rule.value')} onChange={(v) => onChange({ ...c, aggregate: { ...c.aggregate!, value: v ?? 0 } })} />
              </>
            )}
          </Space>
        </Space>
      );
    }
    case 'sequence': {
      const c = value;
      return (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Space wrap>
            <Typography.Text>{t('rule.first')}</Typography.Text>
            <Input size="small" placeholder={t('rule.eventName')} aria-label={t('rule.firstEvent')} value={c.first.event} onChange={(e) => onChange({ ...c, first: { ...c.first, event: e.target.value } })} style={{ width: 200 }} />
            <Select
              size="small"
              style={{ width: 170 }}
              value={c.mode}
              aria-label={t('rule.mode')}
              onChange={(mode) => onChange({ ...c, mode })}
              options={(['followed', 'not_followed'] as const).map((m) => ({ value: m, label: t(`rule.${m}`) }))}
            />
            <Input size="small" placeholder={t('rule.eventName')} aria-label={t('rule.thenEvent')} value={c.then.event} onChange={(e) => onChange({ ...c, then: { ...c.then, event: e.target.value } })} style={{ width: 200 }} />
            <Typography.Text>{t('rule.within')}</Typography.Text>
            <DurationInput value={c.within} onChange={(within) => onChange({ ...c, within })} />
          </Space>
          <Filters label={t('rule.firstFilters')} value={c.first.where ?? []} onChange={(where) => onChange({ ...c, first: patch(c.first, { where: where.length ? where : undefined }) })} />
          <Filters label={t('rule.thenFilters')} value={c.then.where ?? []} onChange={(where) => onChange({ ...c, then: patch(c.then, { where: where.length ? where : undefined }) })} />
          <WindowInput value={c.window} onChange={(window) => onChange(patch(c, { window }))} />
        </Space>
      );
    }
    case 'occurrence': {
      const c = value;
      return (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Space wrap>
            <Select
              size="small"
              style={{ width: 120 }}
              value={c.which}
              aria-label={t('rule.which')}
              onChange={(which) => onChange({ ...c, which })}
              options={(['first', 'last'] as const).map((w) => ({ value: w, label: t(`rule.which_${w}`) }))}
            />
            <Input size="small" placeholder={t('rule.eventName')} aria-label={t('rule.eventName')} value={c.event} onChange={(e) => onChange({ ...c, event: e.target.value })} style={{ width: 200 }} />
            <Select
              size="small"
              style={{ width: 150 }}
              value={c.op}
              aria-label={t('rule.operator')}
              onChange={(op) => onChange({ ...c, op })}
              options={(['less_than_ago', 'more_than_ago'] as const).map((o) => ({ value: o, label: t(`rule.${o}`) }))}
            />
            <DurationInput value={c.duration} onChange={(duration) => onChange({ ...c, duration })} />
            <Typography.Text>{t('rule.ago')}</Typography.Text>
          </Space>
          <Filters value={c.where ?? []} onChange={(where) => onChange(patch(c, { where: where.length ? where : undefined }))} />
        </Space>
      );
    }
    case 'segment':
      return <SegmentPicker value={value.segmentId} onChange={(segmentId) => onChange({ type: 'segment', segmentId })} />;
    case 'tag':
      return <TagPicker value={value.tag} onChange={(tag) => onChange({ type: 'tag', tag })} />;
    case 'rfm': {
      const c = value;
      return (
        <Space wrap>
          <Select
            size="small"
            style={{ width: 150 }}
            value={c.score}
            aria-label={t('rule.score')}
            onChange={(score) => onChange({ ...c, score })}
            options={(['rfm_r', 'rfm_f', 'rfm_m'] as const).map((s) => ({ value: s, label: t(`rule.${s}`) }))}
          />
          <NumberOp value={c.op} onChange={(op) => onChange({ ...c, op })} />
          <InputNumber size="small" min={1} max={5} value={c.value} aria-label={t('rule.value')} onChange={(v) => onChange({ ...c, value: v ?? 1 })} />
        </Space>
      );
    }
    case 'prediction': {
      const c = value;
      return (
        <Space wrap>
          <Select
            size="small"
            style={{ width: 220 }}
            value={c.trait}
            aria-label={t('rule.predictionTrait')}
            onChange={(trait) => onChange({ ...c, trait })}
            options={PREDICTION_TRAITS.map((s) => ({ value: s, label: t(`rule.predictionTraits.${s}`) }))}
          />
          <NumberOp value={c.op} onChange={(op) => onChange({ ...c, op })} />
          <InputNumber size="small" step={0.1} value={c.value} aria-label={t('rule.value')} onChange={(v) => onChange({ ...c, value: v ?? 0 })} />
        </Space>
      );
    }
    case 'rfm_segment':
      return (
        <Select
          size="small"
          mode="multiple"
          style={{ minWidth: 320 }}
          value={value.in}
          aria-label={t('rule.kinds.rfm_segment')}
          onChange={(v) => onChange({ type: 'rfm_segment', in: v.length ? v : value.in })}
          options={RFM_SEGMENTS.map((s) => ({ value: s, label: t(`rfmSegments.${s}`) }))}
        />
      );
    default:
      return null;
  }
}

/** Sets fields, removing those set to undefined (the schema forbids extra and null fields). */
function patch<T extends object>(obj: T, fields: Partial<T>): T {
  const next = { ...obj, ...fields } as Record<string, unknown>;
  for (const k of Object.keys(fields)) if (next[k] === undefined) delete next[k];
  return next as T;
}

function ValueTestInputs({ test, onChange }: { test: { op: ValueOp; value?: unknown }; onChange(next: { op: ValueOp; value?: unknown }): void }) {
  const { t } = useTranslation();
  return (
    <>
      <Select
        size="small"
        style={{ width: 150 }}
        value={test.op}
        aria-label={t('rule.operator')}
        data-testid="value-op"
        onChange={(op: ValueOp) => onChange(withOp(test, op))}
        options={VALUE_OPS.map((o) => ({ value: o, label: t(`rule.ops.${o}`) }))}
      />
      {test.op !== 'exists' && test.op !== 'not_exists' && (
        <Input
          size="small"
          style={{ width: 170 }}
          placeholder={test.op === 'in' ? t('rule.listPlaceholder') : t('rule.value')}
          aria-label={t('rule.value')}
          defaultValue={valueText(test.value)}
          onChange={(e) => onChange({ ...test, value: parseValue(test.op, e.target.value) })}
        />
      )}
    </>
  );
}

function Filters({ value, onChange, label }: { value: PropertyFilter[]; onChange: Change<PropertyFilter[]>; label?: string }) {
  const { t } = useTranslation();
  return (
    <Space direction="vertical" size={4}>
      {value.map((f, i) => (
        <Space key={i} wrap data-testid="property-filter">
          <Typography.Text type="secondary">{i === 0 ? (label ?? t('rule.where')) : t('rule.and')}</Typography.Text>
          <Input
            size="small"
            style={{ width: 150 }}
            placeholder={t('rule.property')}
            aria-label={t('rule.property')}
            value={f.property}
            onChange={(e) => onChange(value.map((x, j) => (j === i ? { ...x, property: e.target.value } : x)))}
          />
          <ValueTestInputs test={f} onChange={(next) => onChange(value.map((x, j) => (j === i ? ({ property: x.property, ...next } as PropertyFilter) : x)))} />
          <Button size="small" type="text" icon={<DeleteOutlined />} aria-label={t('rule.remove')} onClick={() => onChange(value.filter((_, j) => j !== i))} />
        </Space>
      ))}
      <Button size="small" type="link" icon={<PlusOutlined />} onClick={() => onChange([...value, { property: '', op: 'equals', value: '' }])} style={{ padding: 0 }}>
        {t('rule.addFilter')}
      </Button>
    </Space>
  );
}

function NumberOp({ value, onChange }: { value: (typeof NUMBER_OPS)[number]; onChange(op: (typeof NUMBER_OPS)[number]): void }) {
  const { t } = useTranslation();
  return <Select size="small" style={{ width: 120 }} value={value} aria-label={t('rule.operator')} onChange={onChange} options={NUMBER_OPS.map((o) => ({ value: o, label: t(`rule.ops.${o}`) }))} />;
}

function DurationInput({ value, onChange }: { value: Duration; onChange: Change<Duration> }) {
  const { t } = useTranslation();
  return (
    <Space.Compact size="small">
      <InputNumber size="small" min={0} style={{ width: 80 }} value={value.amount} aria-label={t('rule.amount')} onChange={(v) => onChange({ ...value, amount: v ?? 0 })} />
      <Select size="small" style={{ width: 100 }} value={value.unit} aria-label={t('rule.unit')} onChange={(unit) => onChange({ ...value, unit })} options={UNITS.map((u) => ({ value: u, label: t(`rule.units.${u}`) }))} />
    </Space.Compact>
  );
}

function WindowInput({ value, onChange }: { value: Window | undefined; onChange: Change<Window | undefined> }) {
  const { t } = useTranslation();
  const mode = !value ? 'ever' : 'last' in value ? 'last' : 'between';
  return (
    <Space wrap>
      <Select
        size="small"
        style={{ width: 150 }}
        value={mode}
        aria-label={t('rule.window')}
        data-testid="window-mode"
        onChange={(m) =>
          onChange(m === 'ever' ? undefined : m === 'last' ? { last: { amount: 30, unit: 'days' } } : { from: { amount: 60, unit: 'days' }, to: { amount: 30, unit: 'days' } })
        }
        options={[
          { value: 'ever', label: t('rule.ever') },
          { value: 'last', label: t('rule.inTheLast') },
          { value: 'between', label: t('rule.between') },
        ]}
      />
      {value && 'last' in value && <DurationInput value={value.last} onChange={(last) => onChange({ last })} />}
      {value && 'from' in value && (
        <>
          <DurationInput value={value.from} onChange={(from) => onChange({ ...value, from })} />
          <Typography.Text>{t('rule.and')}</Typography.Text>
          <DurationInput value={value.to} onChange={(to) => onChange({ ...value, to })} />
          <Typography.Text>{t('rule.ago')}</Typography.Text>
        </>
      )}
    </Space>
  );
}

function SegmentPicker({ value, onChange }: { value: string; onChange(id: string): void }) {
  const { t } = useTranslation();
  const { data } = useQuery({ queryKey: ['segments'], queryFn: () => api.get<Page<Segment>>('/v1/segments') });
  return (
    <Select
      size="small"
      showSearch
      optionFilterProp="label"
      style={{ minWidth: 260 }}
      value={value || undefined}
      placeholder={t('rule.pickSegment')}
      aria-label={t('rule.kinds.segment')}
      onChange={onChange}
      options={(data?.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
    />
  );
}

function TagPicker({ value, onChange }: { value: string; onChange(tag: string): void }) {
  const { t } = useTranslation();
  const { data } = useQuery({ queryKey: ['tags'], queryFn: () => api.get<Page<TagSummary>>('/v1/tags') });
  return (
    <Select
      size="small"
      showSearch
      style={{ minWidth: 220 }}
      value={value || undefined}
      placeholder={t('rule.pickTag')}
      aria-label={t('rule.kinds.tag')}
      onChange={onChange}
      onSearch={(s) => s && onChange(s)}
      options={(data?.data ?? []).map((tag) => ({ value: tag.tag, label: tag.tag }))}
    />
  );
}
